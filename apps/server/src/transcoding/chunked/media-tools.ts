/** The two programs the chunked pipeline runs, behind an interface so its orchestration is testable without them. */
export interface MediaTools {
  ffmpeg(args: string[], options?: { signal?: AbortSignal }): Promise<string>;
  ffprobe(args: string[]): Promise<string>;
}
