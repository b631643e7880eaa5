/**
 * What a video's lifecycle tells the rest of Tube. videos/ (and the transcoders) call it; notifications/ implements
 * it; the composition root (`runtime.ts`) wires the two, so videos/ never depends on notifications/.
 * Implementations must not throw: telling people about a video never fails the change itself.
 */
export interface VideoEvents {
  /** After a video became ready. */
  videoReady(videoId: string): Promise<void>;
  /** After a video failed to process. */
  videoFailed(videoId: string): Promise<void>;
  /** After a ready video became public (an edit, or a scheduled publication). */
  videoBecamePublic(videoId: string): Promise<void>;
}
