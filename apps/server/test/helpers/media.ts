import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tus from 'tus-js-client';

const run = promisify(execFile);
export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

/** Settings that keep transcodes in tests to a second or two. */
export const FAST_TRANSCODE_ENV = {
  TRANSCODE_MAX_HEIGHT: '240',
  X264_PRESET: 'ultrafast',
  SEGMENT_SECONDS: '1',
  JOB_RETRY_DELAY: '1',
  STORYBOARD_INTERVAL: '1',
};

/** The chunked pipeline on small, fast settings: 2 s segments, 8 s chunks, so a 30 s source has several chunks. */
export const SMALL_CHUNKED_ENV = {
  TRANSCODE_MODE: 'chunked',
  TRANSCODE_MAX_HEIGHT: '240',
  X264_PRESET: 'ultrafast',
  SEGMENT_SECONDS: '2',
  CHUNK_SECONDS: '8',
  STORYBOARD_INTERVAL: '2',
  JOB_RETRY_DELAY: '1',
  JOB_LEASE_SECONDS: '10',
};

/** A short synthetic video made with ffmpeg's lavfi sources. */
export async function makeVideo(
  dir: string,
  name: string,
  options: { width?: number; height?: number; seconds?: number; fps?: number; audio?: boolean; extraArgs?: string[] } = {},
): Promise<string> {
  const { width = 320, height = 240, seconds = 3, fps = 25, audio = true, extraArgs = [] } = options;
  const output = path.join(dir, name);
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (audio) args.push('-c:a', 'aac', '-shortest');
  args.push(...extraArgs, output);
  await run(FFMPEG, args);
  return output;
}

export async function ffprobeJson(target: string): Promise<{ streams: { codec_type: string; width?: number; height?: number; codec_name: string }[] }> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_streams', target]);
  return JSON.parse(stdout);
}

/** Decodes every stream of a manifest to nothing: fails if any segment is missing or broken. */
export async function decodeAll(target: string): Promise<void> {
  await run(FFMPEG, ['-v', 'error', '-i', target, '-map', '0', '-f', 'null', '-'], { maxBuffer: 16 * 1024 * 1024 });
}

/** Frames of the first video stream of a file or manifest, decoded one by one (ffprobe -count_frames). */
export async function countFrames(target: string): Promise<number> {
  const { stdout, stderr } = await run(FFPROBE, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_frames',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    target,
  ]);
  const frames = Number(stdout.trim().split('\n')[0]);
  if (!Number.isInteger(frames)) throw new Error(`ffprobe could not count the frames of ${target}: ${stdout} ${stderr}`);
  return frames;
}

export interface UploadOptions {
  endpoint: string;
  token: string;
  videoId: string;
  chunkSize?: number;
  uploadUrl?: string | null;
  /** Abort after this many bytes have been acknowledged (to simulate a dropped connection). */
  stopAfterBytes?: number;
}

/** Uploads a file with the real tus client; resolves with the upload URL and how far it got. */
export async function tusUpload(filePath: string, options: UploadOptions): Promise<{ url: string | null; completed: boolean; offset: number }> {
  const data = await readFile(filePath);
  return new Promise((resolve, reject) => {
    let acknowledged = 0;
    const upload = new tus.Upload(data, {
      endpoint: options.endpoint,
      uploadUrl: options.uploadUrl ?? null,
      chunkSize: options.chunkSize ?? Number.POSITIVE_INFINITY,
      retryDelays: [],
      headers: { authorization: `Bearer ${options.token}` },
      metadata: { videoId: options.videoId, filename: path.basename(filePath), filetype: 'video/mp4' },
      onChunkComplete(_chunkSize, bytesAccepted) {
        acknowledged = bytesAccepted;
        if (options.stopAfterBytes !== undefined && bytesAccepted >= options.stopAfterBytes && bytesAccepted < data.length) {
          void upload.abort().then(() => resolve({ url: upload.url, completed: false, offset: acknowledged }));
        }
      },
      onSuccess: () => resolve({ url: upload.url, completed: true, offset: data.length }),
      onError: (error) => reject(error),
    });
    upload.start();
  });
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
