import { join } from 'node:path';
import { outputFrameRate, type Rung } from './ladder.ts';
import { partialInput } from './partial-input.ts';
import type { SourceInfo } from './probe.ts';
import { AUDIO_CHANNELS, AUDIO_SAMPLE_RATE, formatBitrate, formatFrameRate, rungSampleAspectRatio, type X264Preset } from './transcode.ts';

/**
 * The chunked pipeline: a video is cut into chunks of whole segments; one ffmpeg per chunk encodes every
 * video rung of that span, and one more ffmpeg encodes the audio of the whole file. Chunk outputs start at
 * time zero and segment 1 locally; the worker moves them onto the video's timeline (`retimeFragment`).
 */

export interface ChunkPlanOptions {
  segmentSeconds: number;
  /** Wanted chunk length; rounded to a whole number of segments. */
  chunkSeconds: number;
  /**
   * Wanted length of the first chunk (rounded to whole segments, at least one): a short first chunk is what stands
   * between the upload and the first frame. The chunks after it double in length until they reach `chunkSeconds`,
   * so each one is encoded while the one before it plays. Defaults to `chunkSeconds` (no ramp).
   */
  firstChunkSeconds?: number;
}

export interface PlannedChunk {
  index: number;
  startSeconds: number;
  /** Exclusive; the last chunk ends at the source's duration. */
  endSeconds: number;
  /** Number of the chunk's first segment on the video's timeline (segments count from 1). */
  firstSegmentNumber: number;
  /** Segments the chunk is planned to hold (the last one may end up with one more or less: ffmpeg decides at EOF). */
  segmentCount: number;
  isLast: boolean;
}

/** Tolerance for floating-point durations ("30.000001" is 30 s). */
const EPSILON = 1e-6;

/**
 * Cuts a source of `durationSeconds` into chunks on segment boundaries: a first chunk of `firstChunkSeconds`, chunks
 * doubling in length from there, then chunks of `chunkSeconds`. A last piece shorter than half a chunk joins the chunk before it, so no job is spent on
 * a second of video.
 */
export function planChunks(durationSeconds: number, options: ChunkPlanOptions): PlannedChunk[] {
  const { segmentSeconds } = options;
  if (!(durationSeconds > 0)) throw new Error('planChunks needs a positive duration');
  if (!(segmentSeconds > 0)) throw new Error('planChunks needs a positive segment length');
  const segmentsPerChunk = Math.max(1, Math.round(options.chunkSeconds / segmentSeconds));
  const firstChunkSegments = Math.max(1, Math.round((options.firstChunkSeconds ?? options.chunkSeconds) / segmentSeconds));
  const totalSegments = Math.max(1, Math.ceil(durationSeconds / segmentSeconds - EPSILON));
  /** Segment counts of the chunks, in order. */
  const sizes: number[] = [];
  for (let left = totalSegments, wanted = Math.min(firstChunkSegments, segmentsPerChunk); left > 0; wanted = Math.min(wanted * 2, segmentsPerChunk)) {
    sizes.push(Math.min(wanted, left));
    left -= sizes.at(-1)!;
  }
  if (sizes.length > 1 && sizes.at(-1)! * 2 < segmentsPerChunk) sizes[sizes.length - 2]! += sizes.pop()!;
  let firstSegment = 0;
  return sizes.map((segmentCount, index) => {
    const isLast = index === sizes.length - 1;
    const chunk = {
      index,
      startSeconds: firstSegment * segmentSeconds,
      endSeconds: isLast ? durationSeconds : (firstSegment + segmentCount) * segmentSeconds,
      firstSegmentNumber: firstSegment + 1,
      segmentCount,
      isLast,
    };
    firstSegment += segmentCount;
    return chunk;
  });
}

/** Index of the first frame at or after `seconds` on a constant-rate grid of `frameRate` starting at zero. */
export function frameIndexAt(seconds: number, frameRate: number): number {
  return Math.ceil(seconds * frameRate - EPSILON);
}

/** Frames of one rung that fall inside a (not last) chunk. */
export function chunkFrameCount(chunk: Pick<PlannedChunk, 'startSeconds' | 'endSeconds'>, frameRate: number): number {
  return frameIndexAt(chunk.endSeconds, frameRate) - frameIndexAt(chunk.startSeconds, frameRate);
}

/** Where a chunk's fragments go on the video's timeline: its first frame's time in track ticks. */
export function chunkDecodeTimeOffset(chunk: Pick<PlannedChunk, 'startSeconds'>, frameRate: number, timescale: number): number {
  return Math.round((frameIndexAt(chunk.startSeconds, frameRate) / frameRate) * timescale);
}

/** Local file names a chunk or audio ffmpeg writes (hls muxer, fMP4 segments). */
export const CHUNK_FILES = {
  playlist: 'media-%v.m3u8',
  segment: 'seg-%v-%05d.m4s',
  init: 'init.mp4',
  /** The hls muxer names the init of variant N `init_N.mp4`, but keeps `init.mp4` when there is only one variant. */
  initOf: (variant: number, variantCount: number) => (variantCount === 1 ? 'init.mp4' : `init_${variant}.mp4`),
  segmentOf: (variant: number, localNumber: number) => `seg-${variant}-${String(localNumber).padStart(5, '0')}.m4s`,
  audioPlaylist: 'audio.m3u8',
  audioSegment: 'seg-a-%05d.m4s',
  audioSegmentOf: (localNumber: number) => `seg-a-${String(localNumber).padStart(5, '0')}.m4s`,
} as const;

export interface ChunkTranscodeRequest {
  input: string;
  outputDir: string;
  info: SourceInfo;
  rungs: readonly Rung[];
  chunk: PlannedChunk;
  segmentSeconds: number;
  preset: X264Preset;
  threads?: number;
  /** Read only the first bytes of `input` (an upload still arriving): see `partialInput`. */
  inputBytes?: number;
}

function seconds(value: number): string {
  return String(Math.round(value * 1_000_000) / 1_000_000);
}

/**
 * `[0:N]fps=R,split=2[v0][v1];[v0]scale=…`: like the one-process ladder, but the frame rate is always set,
 * so every rung is on a constant-rate grid that starts at the chunk start and chunk seams fall on frames.
 */
export function buildChunkFilterGraph(info: SourceInfo, rungs: readonly Rung[]): string {
  const branches = rungs.map((_, index) => `[v${index}]`).join('');
  const scalers = rungs.map((rung, index) => {
    const sar = rungSampleAspectRatio(info, rung);
    const maxTerm = Math.max(...sar.split('/').map(Number));
    const setsar = maxTerm === 1 ? 'setsar=1' : `setsar=${sar}:max=${maxTerm}`;
    const fps = rung.frameRate < outputFrameRate(info) ? `fps=${formatFrameRate(rung.frameRate)},` : '';
    return `[v${index}]${fps}scale=${rung.width}:${rung.height},${setsar}[v${index}out]`;
  });
  return [`[0:${info.videoStreamIndex}]fps=${formatFrameRate(outputFrameRate(info))},split=${rungs.length}${branches}`, ...scalers].join(';');
}

/**
 * One ffmpeg for one chunk: seeks accurately to the chunk start (`-ss` before `-i` decodes from the
 * keyframe before it and drops the pre-roll), decodes the span once and encodes every rung into fMP4
 * segments. Each rung stops after exactly its frames in the chunk, so chunks neither overlap nor leave gaps.
 * x264's settings are identical in every chunk and scene-cut keyframes are off, so every chunk writes the
 * same SPS/PPS and one init segment serves all of them.
 */
export function buildChunkArgs(request: ChunkTranscodeRequest): string[] {
  const { outputDir, info, rungs, chunk, segmentSeconds, preset, threads, inputBytes } = request;
  if (rungs.length === 0) throw new Error('buildChunkArgs needs at least one rung');
  const input = inputBytes === undefined ? request.input : partialInput(request.input, inputBytes);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-protocol_whitelist', inputBytes === undefined ? 'file' : 'file,subfile'];
  if (chunk.startSeconds > 0) args.push('-ss', seconds(chunk.startSeconds));
  // A second more than the chunk is read; -frames below cuts each rung exactly. The last chunk reads up to the
  // declared duration and no further, so a file whose timestamps run hours past its header stays bounded.
  args.push('-t', seconds(chunk.endSeconds - chunk.startSeconds + (chunk.isLast ? 0 : 1)));
  args.push('-i', input);
  args.push('-filter_complex', buildChunkFilterGraph(info, rungs));
  for (let index = 0; index < rungs.length; index++) args.push('-map', `[v${index}out]`);
  args.push('-an', '-map_metadata', '-1', '-map_chapters', '-1');
  args.push('-c:v', 'libx264', '-preset', preset, '-profile:v', 'high', '-pix_fmt', 'yuv420p');
  if (threads !== undefined) args.push('-threads', String(threads));
  args.push('-sc_threshold', '0');
  // No macroblock-tree rate control: with it, x264's ABR starts every encode ~10 frames at a visibly lower
  // quality (SSIM 0.97 against 0.99), once per video in one process but at every seam when chunked.
  args.push('-mbtree', '0');
  // The chunk starts on a segment boundary, so local segment boundaries are multiples of the segment length.
  args.push('-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`);
  rungs.forEach((rung, index) => {
    const framesPerSegment = String(Math.max(1, Math.round(rung.frameRate * segmentSeconds)));
    args.push(`-g:v:${index}`, framesPerSegment, `-keyint_min:v:${index}`, framesPerSegment);
    args.push(`-b:v:${index}`, formatBitrate(rung.videoBitrate));
    args.push(`-maxrate:v:${index}`, formatBitrate(rung.maxrate));
    args.push(`-bufsize:v:${index}`, formatBitrate(rung.bufsize));
    if (!chunk.isLast) args.push(`-frames:v:${index}`, String(chunkFrameCount(chunk, rung.frameRate)));
  });
  args.push('-f', 'hls', '-hls_segment_type', 'fmp4', '-hls_time', String(segmentSeconds), '-hls_playlist_type', 'vod', '-start_number', '1');
  args.push('-hls_fmp4_init_filename', CHUNK_FILES.init, '-hls_segment_filename', join(outputDir, CHUNK_FILES.segment));
  args.push('-var_stream_map', rungs.map((_, index) => `v:${index}`).join(' '));
  args.push('-progress', 'pipe:1', '-nostats');
  args.push(join(outputDir, CHUNK_FILES.playlist));
  return args;
}

export interface AudioTranscodeRequest {
  input: string;
  outputDir: string;
  audioStreamIndex: number;
  segmentSeconds: number;
  bitrate: number;
  /** The declared duration: no more is read, however far the file's timestamps run. */
  durationSeconds?: number;
}

/**
 * The whole file's audio, once, as AAC in fMP4 segments: no seams, and cheap next to the video. The local
 * playlist is an EVENT one because ffmpeg rewrites it (atomically, by rename) after every finished segment, so
 * the worker can upload each segment as soon as it is listed (`finishedAudioSegments`); a VOD playlist is only
 * written at the end. The segments are byte-identical either way.
 */
export function buildAudioArgs(request: AudioTranscodeRequest): string[] {
  const { input, outputDir, audioStreamIndex, segmentSeconds, bitrate, durationSeconds } = request;
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-protocol_whitelist',
    'file',
    ...(durationSeconds === undefined ? [] : ['-t', seconds(durationSeconds)]),
    '-i',
    input,
    '-map',
    `0:${audioStreamIndex}`,
    '-vn',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c:a',
    'aac',
    '-b:a',
    formatBitrate(bitrate),
    '-ac',
    String(AUDIO_CHANNELS),
    '-ar',
    String(AUDIO_SAMPLE_RATE),
    '-f',
    'hls',
    '-hls_segment_type',
    'fmp4',
    '-hls_time',
    String(segmentSeconds),
    '-hls_playlist_type',
    'event',
    '-start_number',
    '1',
    '-hls_fmp4_init_filename',
    CHUNK_FILES.init,
    '-hls_segment_filename',
    join(outputDir, CHUNK_FILES.audioSegment),
    '-progress',
    'pipe:1',
    '-nostats',
    join(outputDir, CHUNK_FILES.audioPlaylist),
  ];
}

/**
 * How many audio segments ffmpeg has finished, from its local playlist as read at any moment: the run of
 * `seg-a-00001.m4s`, `seg-a-00002.m4s`, … listed on complete lines (a line without its newline may be cut
 * short). ffmpeg lists a segment only once it has closed its file, so every counted segment is whole.
 */
export function finishedAudioSegments(playlist: string): number {
  const lines = playlist.split('\n');
  lines.pop();
  let count = 0;
  for (const line of lines) {
    const uri = line.trim();
    if (uri === '' || uri.startsWith('#')) continue;
    if (uri !== CHUNK_FILES.audioSegmentOf(count + 1)) break;
    count += 1;
  }
  return count;
}

/**
 * ffprobe counting the video packets (frames) within the declared duration, demuxing only: a file whose few
 * frames are spread over far more time than its header says has far fewer than duration × frame rate.
 */
export function countFramesArgs(input: string, videoStreamIndex: number, durationSeconds: number): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    String(videoStreamIndex),
    '-read_intervals',
    `%+${seconds(durationSeconds)}`,
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    input,
  ];
}
