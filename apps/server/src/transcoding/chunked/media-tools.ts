import type { RunOptions } from '../../infra/ffmpeg/ffmpeg.ts';

/** How a task runs ffmpeg: cancelled by `signal`, at a CPU niceness, with its pid handed to the caller. */
export type FfmpegRunOptions = Pick<RunOptions, 'signal' | 'nice' | 'onSpawn'>;

/** The two programs the chunked pipeline runs, behind an interface so its orchestration is testable without them. */
export interface MediaTools {
  ffmpeg(args: string[], options?: FfmpegRunOptions): Promise<string>;
  ffprobe(args: string[]): Promise<string>;
}
