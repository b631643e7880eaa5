import type { SourceInfo } from './probe.ts';

export interface PosterRequest {
  input: string;
  /** A .jpg path. */
  output: string;
  /** Usually `posterTimeSeconds(info.durationSeconds)`. */
  atSeconds: number;
  width: number;
  /** `SourceInfo.videoStreamIndex`; without it ffmpeg picks a stream itself, possibly the cover art. */
  videoStreamIndex?: number;
}

/** 10% into the video: past fade-ins and title cards, still early enough to be representative. */
export function posterTimeSeconds(durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  // Millisecond precision, and strictly before the end so there is a frame to grab.
  return Math.min(Math.round(durationSeconds * 100) / 1000, Math.max(0, durationSeconds - 0.1));
}

function secondsArgument(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/** A single JPEG frame, `width` wide, height following the display aspect ratio (even, for chroma subsampling). */
export function buildPosterArgs(request: PosterRequest): string[] {
  const { input, output, atSeconds, width, videoStreamIndex } = request;
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    // Before -i: seek in the demuxer, then decode only up to the requested frame.
    '-ss',
    secondsArgument(Math.max(0, atSeconds)),
    '-protocol_whitelist',
    'file',
    '-i',
    input,
    '-map',
    videoStreamIndex === undefined ? '0:v:0' : `0:${videoStreamIndex}`,
    '-frames:v',
    '1',
    // `dar` includes the sample aspect ratio, so anamorphic sources come out undistorted.
    '-vf',
    `scale=${width}:trunc(ow/dar/2)*2,setsar=1`,
    '-q:v',
    '3',
    '-update',
    '1',
    output,
  ];
}

export interface StoryboardOptions {
  /** Wanted seconds between tiles; grown for long videos so the tiles fit on one sheet. */
  intervalSeconds: number;
  columns: number;
  rows: number;
  tileWidth: number;
}

export interface StoryboardPlan {
  interval: number;
  /** Tiles the sprite is guaranteed to hold, one per `interval` from 0. */
  count: number;
  /** Shrunk to what `count` needs, so short videos get a small sprite without empty cells. */
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  durationSeconds: number;
}

/**
 * ffmpeg's fps filter emits round(duration / interval) frames (none at all when the video
 * is shorter than half an interval), so the plan claims floor(duration / interval) tiles,
 * at least one, and shortens the interval to the duration for very short videos.
 */
export function planStoryboard(info: Pick<SourceInfo, 'durationSeconds' | 'width' | 'height'>, options: StoryboardOptions): StoryboardPlan {
  const capacity = options.columns * options.rows;
  const durationSeconds = info.durationSeconds;
  const secondsPerTileToFit = durationSeconds / capacity;
  let interval = secondsPerTileToFit > options.intervalSeconds ? Math.ceil(secondsPerTileToFit) : options.intervalSeconds;
  if (interval > durationSeconds) interval = Math.round(durationSeconds * 1000) / 1000;
  const count = Math.min(capacity, Math.max(1, Math.floor(durationSeconds / interval)));
  const columns = Math.min(options.columns, count);
  return {
    interval,
    count,
    columns,
    rows: Math.ceil(count / columns),
    tileWidth: options.tileWidth,
    tileHeight: Math.max(2, Math.round((options.tileWidth * info.height) / info.width / 2) * 2),
    durationSeconds,
  };
}

export interface StoryboardRequest extends StoryboardOptions {
  input: string;
  /** A .jpg path. */
  output: string;
  info: SourceInfo;
}

/** One sprite sheet JPEG with the plan's tiles, left to right then top to bottom. */
export function buildStoryboardArgs(request: StoryboardRequest): string[] {
  const { input, output, info } = request;
  const plan = planStoryboard(info, request);
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-protocol_whitelist',
    'file',
    '-i',
    input,
    '-map',
    `0:${info.videoStreamIndex}`,
    '-vf',
    `fps=1/${plan.interval},scale=${plan.tileWidth}:${plan.tileHeight},setsar=1,tile=${plan.columns}x${plan.rows}`,
    '-frames:v',
    '1',
    '-q:v',
    '4',
    '-update',
    '1',
    output,
  ];
}

function vttTimestamp(totalSeconds: number): string {
  const milliseconds = Math.round(totalSeconds * 1000);
  const hours = Math.floor(milliseconds / 3_600_000);
  const minutes = Math.floor((milliseconds % 3_600_000) / 60_000);
  const seconds = Math.floor((milliseconds % 60_000) / 1000);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(milliseconds % 1000, 3)}`;
}

/** A WebVTT thumbnails track (the `#xywh=` media fragment convention used by video.js, Plyr, Vidstack...). */
export function storyboardVtt(plan: StoryboardPlan, spriteUrl: string): string {
  const cues: string[] = [];
  for (let index = 0; index < plan.count; index++) {
    const start = index * plan.interval;
    // The last tile also covers the remainder shorter than an interval.
    const end = index === plan.count - 1 ? Math.max(plan.durationSeconds, start + plan.interval) : start + plan.interval;
    const x = (index % plan.columns) * plan.tileWidth;
    const y = Math.floor(index / plan.columns) * plan.tileHeight;
    cues.push(`${vttTimestamp(start)} --> ${vttTimestamp(end)}\n${spriteUrl}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`);
  }
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}
