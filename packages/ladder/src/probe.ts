/**
 * Reading what ffprobe says about an uploaded file, and deciding whether we accept it.
 *
 * The worker runs `ffprobe ...probeArgs(path)` itself and hands the parsed JSON stdout to
 * `parseProbe`. When ffprobe cannot read a file at all (random bytes, a truncated MP4 without
 * its moov atom) it exits non-zero and prints `{}`; `parseProbe({})` turns that into an
 * `InvalidSourceError`, so the worker can parse stdout whatever the exit code was.
 */

/** A problem with the uploaded file itself (as opposed to our infrastructure); `reason` is shown to the uploader. */
export class InvalidSourceError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidSourceError';
    this.reason = reason;
  }
}

export interface SourceInfo {
  durationSeconds: number;
  /** Display width: after applying the sample aspect ratio and the rotation. */
  width: number;
  /** Display height: after applying the sample aspect ratio and the rotation. */
  height: number;
  /** Clockwise degrees a player must turn the coded picture: 0, 90, 180 or 270. ffmpeg applies it when decoding. */
  rotation: number;
  fps: number;
  hasAudio: boolean;
  videoCodec: string;
  audioCodec: string | null;
  /** ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string;
  bitRate: number | null;
  sizeBytes: number | null;
  /** Index of the chosen video stream in the file, for `-map 0:N` (the first stream may be cover art). */
  videoStreamIndex: number;
  audioStreamIndex: number | null;
}

export interface SourceLimits {
  maxWidth: number;
  maxHeight: number;
  maxDurationSeconds: number;
}

/** Used when a stream declares no usable frame rate; only sizes the GOP, keyframes are forced by time anyway. */
const FALLBACK_FPS = 30;

/** Demuxers whose "files" point at other files; probing or transcoding them could read arbitrary local files. */
const PLAYLIST_FORMATS = new Set(['hls', 'concat', 'dash', 'ffconcat']);

/**
 * Arguments for ffprobe. `-protocol_whitelist file` stops a crafted upload (say, an HLS playlist
 * disguised as a video) from making ffprobe fetch URLs.
 */
export function probeArgs(path: string): string[] {
  return ['-v', 'error', '-protocol_whitelist', 'file', '-print_format', 'json', '-show_format', '-show_streams', path];
}

/**
 * A time past the end of any video we accept: `-read_intervals` seeks there, which a Matroska demuxer without
 * Cues answers by walking the clusters (without decoding) and stopping at the last keyframe.
 */
const PAST_THE_END = '999999999';

const PACKET_ENTRIES = ['-show_entries', 'packet=stream_index,pts_time,duration_time', '-of', 'csv=p=0'];

/**
 * For a file whose container declares no duration (a live or browser WebM): the packets from the last
 * keyframe to the end, demuxed only. Their last timestamps plus durations are the stream's true end.
 */
export function lastPacketsArgs(path: string): string[] {
  return ['-v', 'error', '-protocol_whitelist', 'file', '-read_intervals', `${PAST_THE_END}%`, ...PACKET_ENTRIES, path];
}

/** Every packet of the file, demuxed only: for when seeking to the end fails. */
export function allPacketsArgs(path: string): string[] {
  return ['-v', 'error', '-protocol_whitelist', 'file', ...PACKET_ENTRIES, path];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ffprobe prints most numbers as strings ("3.000000") and "N/A" when unknown. */
function finiteNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function positiveNumber(value: unknown): number | null {
  const parsed = finiteNumber(value);
  return parsed !== null && parsed > 0 ? parsed : null;
}

/** Parses "30000/1001" (frame rates) or "4:3" (aspect ratios); null for "0/0", "0:1", "N/A". */
function positiveRatio(value: unknown, separator: '/' | ':'): number | null {
  if (typeof value !== 'string') return null;
  const [numerator, denominator] = value.split(separator).map(Number);
  if (numerator === undefined || denominator === undefined) return null;
  if (!(numerator > 0) || !(denominator > 0)) return null;
  return numerator / denominator;
}

/** Matroska stores durations as tags like "00:03:25.040000000". */
function clockDuration(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value.trim());
  if (!match) return null;
  const seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  return seconds > 0 ? seconds : null;
}

function tagsOf(entry: JsonObject): JsonObject {
  return isObject(entry.tags) ? entry.tags : {};
}

function normalizeDegrees(degrees: number): number {
  const rightAngles = Math.round(degrees / 90);
  return (((rightAngles % 4) + 4) % 4) * 90;
}

/**
 * ffmpeg ≥ 5 reports rotation as display-matrix side data (counter-clockwise degrees);
 * older versions, and files written by them, carry a clockwise `rotate` tag instead.
 */
function rotationOf(stream: JsonObject): number {
  const sideData = Array.isArray(stream.side_data_list) ? stream.side_data_list : [];
  for (const entry of sideData) {
    if (!isObject(entry)) continue;
    const counterClockwise = finiteNumber(entry.rotation);
    if (counterClockwise !== null) return normalizeDegrees(-counterClockwise);
  }
  const clockwise = finiteNumber(tagsOf(stream).rotate);
  return clockwise === null ? 0 : normalizeDegrees(clockwise);
}

function isCoverArt(stream: JsonObject): boolean {
  const disposition = stream.disposition;
  return isObject(disposition) && disposition.attached_pic === 1;
}

function durationOf(format: JsonObject, video: JsonObject): number | null {
  return positiveNumber(format.duration) ?? positiveNumber(video.duration) ?? clockDuration(tagsOf(video).DURATION) ?? clockDuration(tagsOf(format).DURATION);
}

function averageFrameRate(video: JsonObject): number | null {
  const rate = positiveRatio(video.avg_frame_rate, '/');
  return rate !== null && rate <= 1000 ? rate : null;
}

function frameRateOf(video: JsonObject): number {
  // r_frame_rate of variable-frame-rate phone videos can be absurd (e.g. 90000/1), so it is only a fallback.
  const rate = averageFrameRate(video) ?? positiveRatio(video.r_frame_rate, '/');
  return rate !== null && rate <= 1000 ? rate : FALLBACK_FPS;
}

/** One `stream_index,pts_time,duration_time` line of `lastPacketsArgs` output; null for anything else. */
function packetOf(line: string): { index: number; pts: number; duration: number | null } | null {
  const [index, pts, duration] = line.trim().split(',').map(finiteNumber);
  if (index === undefined || index === null || pts === undefined || pts === null) return null;
  return { index, pts, duration: duration !== undefined && duration !== null && duration > 0 ? duration : null };
}

/**
 * A browser recording declares no average frame rate (and an r_frame_rate of 1000/1, its time base): the video
 * packets listed give one, rounded to whole frames per second.
 */
function measuredFrameRate(packets: string, videoIndex: number): number | null {
  const times = packets
    .split('\n')
    .map(packetOf)
    .filter((packet) => packet !== null && packet.index === videoIndex)
    .map((packet) => packet!.pts);
  if (times.length < 2) return null;
  const span = Math.max(...times) - Math.min(...times);
  return span > 0 ? Math.max(1, Math.round((times.length - 1) / span)) : null;
}

function isStillImageFormat(container: string): boolean {
  return container === 'image2' || container.endsWith('_pipe');
}

function hasKnownCodec(stream: JsonObject): boolean {
  const codec = stream.codec_name;
  return typeof codec === 'string' && codec !== '' && codec !== 'none' && codec !== 'unknown';
}

function chosenVideo(streams: JsonObject[]): JsonObject | undefined {
  return streams.find((stream) => stream.codec_type === 'video' && !isCoverArt(stream));
}

function chosenAudio(streams: JsonObject[]): JsonObject | null {
  return streams.find((stream) => stream.codec_type === 'audio' && hasKnownCodec(stream)) ?? null;
}

function rootOf(json: unknown): { format: JsonObject | null; streams: JsonObject[] } {
  const root = isObject(json) ? json : {};
  return { format: isObject(root.format) ? root.format : null, streams: (Array.isArray(root.streams) ? root.streams : []).filter(isObject) };
}

/**
 * The packet listing a probe needs, or null. A file with no duration anywhere (a live or browser WebM) is
 * measured from its tail (`lastPacketsArgs`); one without an average frame rate (a browser recording, even once
 * remuxed with a Duration) from every packet (`allPacketsArgs`), since the tail after the last keyframe can be a
 * few frames. Null too for files `parseProbe` rejects for another reason, so they keep that reason.
 */
export function packetListingArgs(json: unknown, path: string): string[] | null {
  const { format, streams } = rootOf(json);
  const video = chosenVideo(streams);
  if (!format || !video) return null;
  if (averageFrameRate(video) === null) return allPacketsArgs(path);
  return durationOf(format, video) === null ? lastPacketsArgs(path) : null;
}

/**
 * The end of the video (and chosen audio) stream, relative to the file's start, from `lastPacketsArgs` /
 * `allPacketsArgs` output (`stream_index,pts_time,duration_time` lines). A video packet without a duration
 * lasts one frame.
 */
function measuredDuration(packets: string, format: JsonObject, video: JsonObject, audio: JsonObject | null, fps: number): number | null {
  const videoIndex = finiteNumber(video.index) ?? 0;
  const audioIndex = audio ? finiteNumber(audio.index) : null;
  // Only the tail was read, so the start comes from the probe. As a Matroska muxer writes Duration, a small
  // negative start (Opus pre-skip) does not lengthen it; a recording whose clock starts late is measured from there.
  const start = Math.max(0, finiteNumber(format.start_time) ?? 0);
  let end: number | null = null;
  for (const packet of packets.split('\n').map(packetOf)) {
    if (packet === null || (packet.index !== videoIndex && packet.index !== audioIndex)) continue;
    const lasts = packet.duration ?? (packet.index === videoIndex ? 1 / fps : 0);
    end = Math.max(end ?? Number.NEGATIVE_INFINITY, packet.pts + lasts);
  }
  if (end === null) return null;
  const seconds = end - start;
  return seconds > 0 ? Math.round(seconds * 1e6) / 1e6 : null;
}

/**
 * `packets`: the output of `lastPacketsArgs` (or `allPacketsArgs`), (the listing
 * `packetListingArgs` asked for): the duration and frame rate the probe lacks are then measured from the packets.
 */
export function parseProbe(json: unknown, packets?: string): SourceInfo {
  const { format, streams } = rootOf(json);
  if (!format) {
    throw new InvalidSourceError('The file is not a video format we can read; it may be damaged or incomplete');
  }

  const container = typeof format.format_name === 'string' ? format.format_name : 'unknown';
  if (PLAYLIST_FORMATS.has(container)) {
    throw new InvalidSourceError('The file is a playlist that refers to other files, not a video');
  }
  if (isStillImageFormat(container)) {
    throw new InvalidSourceError('The file is a still image, not a video');
  }

  const videoStreams = streams.filter((stream) => stream.codec_type === 'video');
  const video = chosenVideo(streams);
  if (!video) {
    throw new InvalidSourceError(videoStreams.length > 0 ? 'The file only contains a still cover image, not a video' : 'The file has no video stream');
  }
  // ffprobe leaves codec_name out (or says "none"/"unknown") for a stream no decoder here can read; ffmpeg would
  // then fail on every attempt, so decide it now, once, with a reason for the uploader.
  if (!hasKnownCodec(video)) {
    throw new InvalidSourceError('The video is encoded in a format Tube cannot decode; export it as H.264 (MP4) and upload it again');
  }
  // An undecodable audio track is dropped rather than failing the video.
  const audio = chosenAudio(streams);

  const measuredRate = packets === undefined || averageFrameRate(video) !== null ? null : measuredFrameRate(packets, finiteNumber(video.index) ?? 0);
  const fps = measuredRate ?? frameRateOf(video);
  const durationSeconds = durationOf(format, video) ?? (packets === undefined ? null : measuredDuration(packets, format, video, audio, fps));
  if (durationSeconds === null) {
    throw new InvalidSourceError("The file's duration could not be determined");
  }

  const codedWidth = positiveNumber(video.width);
  const codedHeight = positiveNumber(video.height);
  if (codedWidth === null || codedHeight === null) {
    throw new InvalidSourceError("The video's width and height could not be determined");
  }
  const sampleAspectRatio = positiveRatio(video.sample_aspect_ratio, ':') ?? 1;
  const uprightWidth = Math.max(1, Math.round(codedWidth * sampleAspectRatio));
  const rotation = rotationOf(video);
  const sideways = rotation === 90 || rotation === 270;

  return {
    durationSeconds,
    width: sideways ? codedHeight : uprightWidth,
    height: sideways ? uprightWidth : codedHeight,
    rotation,
    fps,
    hasAudio: audio !== null,
    videoCodec: typeof video.codec_name === 'string' ? video.codec_name : 'unknown',
    audioCodec: audio && typeof audio.codec_name === 'string' ? audio.codec_name : null,
    container,
    bitRate: positiveNumber(format.bit_rate),
    sizeBytes: positiveNumber(format.size),
    videoStreamIndex: finiteNumber(video.index) ?? 0,
    audioStreamIndex: audio ? finiteNumber(audio.index) : null,
  };
}

/** "2 hours 5 minutes", "45 seconds": for messages shown to uploaders. */
export function describeDuration(totalSeconds: number): string {
  const rounded = Math.round(totalSeconds);
  const parts: Array<[number, string]> = [
    [Math.floor(rounded / 3600), 'hour'],
    [Math.floor((rounded % 3600) / 60), 'minute'],
    [rounded % 60, 'second'],
  ];
  const spoken = parts.filter(([amount]) => amount > 0).map(([amount, unit]) => `${amount} ${unit}${amount === 1 ? '' : 's'}`);
  return spoken.length > 0 ? spoken.join(' ') : '0 seconds';
}

/**
 * Limits apply to the frame regardless of orientation: with a 3840×2160 limit a 2160×3840
 * portrait video is accepted.
 */
export function checkSourceLimits(info: SourceInfo, limits: SourceLimits): void {
  const longSide = Math.max(info.width, info.height);
  const shortSide = Math.min(info.width, info.height);
  const longLimit = Math.max(limits.maxWidth, limits.maxHeight);
  const shortLimit = Math.min(limits.maxWidth, limits.maxHeight);
  if (longSide > longLimit || shortSide > shortLimit) {
    throw new InvalidSourceError(`The video is ${info.width}×${info.height}; the largest accepted size is ${limits.maxWidth}×${limits.maxHeight}`);
  }
  if (info.durationSeconds > limits.maxDurationSeconds) {
    throw new InvalidSourceError(
      `The video lasts ${describeDuration(info.durationSeconds)}; the longest accepted is ${describeDuration(limits.maxDurationSeconds)}`,
    );
  }
}
