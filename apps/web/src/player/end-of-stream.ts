/** How close to the end a stall must be to count as the end of the video. */
export const END_STALL_TOLERANCE_SECONDS = 0.3;
/** How long playback must make no progress there before it is treated as finished. */
export const END_STALL_WAIT_MS = 600;

/**
 * Whether playback that stopped for want of data is really at the end of the video. Streams whose
 * audio runs a few milliseconds longer than their video (common with AAC padding) leave Chrome
 * waiting forever just before `duration`, so `ended` never fires; everything up to there is buffered.
 * `videoDurationSeconds` is the video's length from the API, when known.
 */
export function isStalledAtEnd(currentTime: number, duration: number, bufferedEnd: number, videoDurationSeconds: number | null = null): boolean {
  if (!Number.isFinite(duration) || duration <= 0) return false;
  // While a video is still being encoded its stream ends where the encoder is (a growing playlist): waiting
  // there is waiting for the next chunk, not the end. The video's own duration tells the two apart.
  if (videoDurationSeconds !== null && currentTime < videoDurationSeconds - 1) return false;
  const nearEnd = duration - currentTime <= END_STALL_TOLERANCE_SECONDS;
  const restIsBuffered = bufferedEnd >= duration - END_STALL_TOLERANCE_SECONDS;
  return nearEnd && restIsBuffered;
}

/** The end of the buffered range that holds `position` (0 when none does). */
export function bufferedEndAt(buffered: { length: number; start(index: number): number; end(index: number): number }, position: number): number {
  let end = 0;
  for (let index = 0; index < buffered.length; index += 1) {
    if (buffered.start(index) <= position + 0.5) end = Math.max(end, buffered.end(index));
  }
  return end;
}
