import { join } from 'node:path';
import { outputFrameRate, type Rung } from './ladder.ts';
import { describeDuration, InvalidSourceError, type SourceInfo } from './probe.ts';

/** Files the dash muxer writes into the output directory (besides segments and per-stream playlists). */
export const DASH_MANIFEST = 'manifest.mpd';
export const HLS_MASTER = 'master.m3u8';
/** dash-muxer templates; RepresentationID is the output stream index (video rungs first, then audio). */
export const INIT_SEGMENT_TEMPLATE = 'init-$RepresentationID$.m4s';
export const MEDIA_SEGMENT_TEMPLATE = 'seg-$RepresentationID$-$Number%05d$.m4s';

/** Name of the HLS media playlist ffmpeg writes for output stream `streamIndex` (not configurable in ffmpeg 5.1). */
export function hlsMediaPlaylistName(streamIndex: number): string {
  return `media_${streamIndex}.m3u8`;
}

export type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium' | 'slow' | 'slower' | 'veryslow';

export interface TranscodeRequest {
  input: string;
  /** Must exist; the manifests, playlists and segments all go directly inside it. */
  outputDir: string;
  info: SourceInfo;
  rungs: readonly Rung[];
  segmentSeconds: number;
  preset: X264Preset;
  /** Threads per x264 encoder; ffmpeg picks by core count when omitted. */
  threads?: number;
}

export const AUDIO_SAMPLE_RATE = 48_000;
export const AUDIO_CHANNELS = 2;

function greatestCommonDivisor(a: number, b: number): number {
  return b === 0 ? a : greatestCommonDivisor(b, a % b);
}

/**
 * Sample aspect ratio that makes a rung display at exactly the source's aspect ratio.
 * Rounding rung sizes to even numbers bends the ratio slightly (426×240 → 256×144), and
 * ffmpeg's dash muxer refuses an adaptation set whose representations disagree on it
 * ("Conflicting stream aspect ratios values in Adaptation Set").
 */
export function rungSampleAspectRatio(info: Pick<SourceInfo, 'width' | 'height'>, rung: Pick<Rung, 'width' | 'height'>): string {
  const numerator = info.width * rung.height;
  const denominator = info.height * rung.width;
  const divisor = greatestCommonDivisor(numerator, denominator);
  return `${numerator / divisor}/${denominator / divisor}`;
}

/** ffmpeg bitrate syntax: "2500k" where exact, plain bits per second otherwise. */
export function formatBitrate(bitsPerSecond: number): string {
  return bitsPerSecond % 1000 === 0 ? `${bitsPerSecond / 1000}k` : String(bitsPerSecond);
}

/** ffmpeg accepts rationals; 29.97 is written as 30000/1001 so no drift accumulates. */
export function formatFrameRate(fps: number): string {
  for (const base of [24, 30, 60]) if (Math.abs(fps - (base * 1000) / 1001) < 0.001) return `${base * 1000}/1001`;
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(3);
}

/** `[0:N]split=R[v0]...;[v0]scale=W:H,setsar=S[v0out];...`: decode once, scale once per rung. */
export function buildLadderFilterGraph(info: SourceInfo, rungs: readonly Rung[]): string {
  const fpsCap = info.fps > outputFrameRate(info) ? `fps=${formatFrameRate(outputFrameRate(info))},` : '';
  const branches = rungs.map((_, index) => `[v${index}]`).join('');
  const scalers = rungs.map((rung, index) => {
    const sar = rungSampleAspectRatio(info, rung);
    // setsar evaluates its ratio as a float and approximates it with terms ≤ max (default 100).
    const maxTerm = Math.max(...sar.split('/').map(Number));
    const setsar = maxTerm === 1 ? 'setsar=1' : `setsar=${sar}:max=${maxTerm}`;
    const fps = rung.frameRate < outputFrameRate(info) ? `fps=${formatFrameRate(rung.frameRate)},` : '';
    return `[v${index}]${fps}scale=${rung.width}:${rung.height},${setsar}[v${index}out]`;
  });
  return [`[0:${info.videoStreamIndex}]${fpsCap}split=${rungs.length}${branches}`, ...scalers].join(';');
}

/**
 * One ffmpeg process that decodes the source once and writes every rung plus one shared AAC
 * stream as CMAF (fragmented MP4) segments, described by both a DASH manifest and HLS
 * playlists. Keyframes are forced on segment boundaries and scene-cut keyframes are off, so
 * every segment of every rung starts with an IDR frame at the same instant (switchable ABR).
 * Progress is written as key=value blocks on stdout (see `parseProgress`).
 */
export function buildTranscodeArgs(request: TranscodeRequest): string[] {
  const { input, outputDir, info, rungs, segmentSeconds, preset, threads } = request;
  if (rungs.length === 0) throw new Error('buildTranscodeArgs needs at least one rung');
  const audioStreamIndex = info.hasAudio ? info.audioStreamIndex : null;

  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  // Read no further than the probed duration (plus a second of slack): a container whose timestamps run far past
  // what its header declares would otherwise make ffmpeg duplicate frames for hours (see checkTranscodedLength).
  args.push('-protocol_whitelist', 'file', '-t', formatSeconds(info.durationSeconds + INPUT_SLACK_SECONDS), '-i', input);
  args.push('-filter_complex', buildLadderFilterGraph(info, rungs));
  for (let index = 0; index < rungs.length; index++) args.push('-map', `[v${index}out]`);
  if (audioStreamIndex !== null) args.push('-map', `0:${audioStreamIndex}`);
  // Uploads from phones carry GPS coordinates and device names in container metadata.
  args.push('-map_metadata', '-1', '-map_chapters', '-1');

  args.push('-c:v', 'libx264', '-preset', preset, '-profile:v', 'high', '-pix_fmt', 'yuv420p');
  if (threads !== undefined) args.push('-threads', String(threads));
  // x264 clamps keyint_min to keyint/2+1; it matters little since scene cuts are off.
  args.push('-sc_threshold', '0');
  args.push('-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`);
  rungs.forEach((rung, index) => {
    // One GOP per segment, counted in this rung's own frames (rungs may run at different frame rates).
    const framesPerSegment = String(Math.max(1, Math.round(rung.frameRate * segmentSeconds)));
    args.push(`-g:v:${index}`, framesPerSegment, `-keyint_min:v:${index}`, framesPerSegment);
    args.push(`-b:v:${index}`, formatBitrate(rung.videoBitrate));
    args.push(`-maxrate:v:${index}`, formatBitrate(rung.maxrate));
    args.push(`-bufsize:v:${index}`, formatBitrate(rung.bufsize));
  });
  if (audioStreamIndex !== null) {
    const audioBitrate = Math.max(...rungs.map((rung) => rung.audioBitrate));
    args.push('-c:a', 'aac', '-b:a', formatBitrate(audioBitrate));
    args.push('-ac', String(AUDIO_CHANNELS), '-ar', String(AUDIO_SAMPLE_RATE));
  }

  args.push('-f', 'dash', '-seg_duration', String(segmentSeconds));
  // SegmentTimeline lists every segment's exact duration; AAC frames (1024 samples) never land
  // exactly on the boundary, so audio segments are a few ms off the nominal length.
  args.push('-use_template', '1', '-use_timeline', '1');
  // The master is always named master.m3u8 (HLS_MASTER); -hls_master_name does not exist before ffmpeg 4.3.
  args.push('-hls_playlist', '1');
  args.push('-adaptation_sets', audioStreamIndex !== null ? 'id=0,streams=v id=1,streams=a' : 'id=0,streams=v');
  args.push('-init_seg_name', INIT_SEGMENT_TEMPLATE, '-media_seg_name', MEDIA_SEGMENT_TEMPLATE);
  args.push('-progress', 'pipe:1', '-nostats');
  args.push(join(outputDir, DASH_MANIFEST));
  return args;
}

const INPUT_SLACK_SECONDS = 1;

/** Seconds for ffmpeg, to the millisecond, without trailing zeros: 121, 3.5, 0.042. */
export function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/** The value of `key` in the latest complete block of a chunk of ffmpeg `-progress` output, or null. */
export function lastProgressValue(chunk: string, key: string): string | null {
  let value: string | null = null;
  for (const line of chunk.split('\n').slice(0, -1)) {
    const separator = line.indexOf('=');
    if (separator >= 0 && line.slice(0, separator).trim() === key) value = line.slice(separator + 1).trim();
  }
  return value;
}

/**
 * After the ladder is encoded: did the stream really last as long as the header said? The transcode reads only the
 * declared duration, so a file whose frames are spread over far more time (a 3 s header over 10 h of timestamps)
 * yields a fraction of the expected frames. Such a file is refused rather than published as a frozen picture.
 * `frames` is the frame count of the first rung from ffmpeg's progress; null (unknown) passes.
 */
export function checkTranscodedLength(result: { frames: number | null; durationSeconds: number; frameRate: number }): void {
  if (result.frames === null || result.durationSeconds < 1) return;
  const expected = result.durationSeconds * result.frameRate;
  if (result.frames < expected * 0.5) {
    throw new InvalidSourceError(
      `The file's timing does not match the length it declares (${describeDuration(result.durationSeconds)}); it may be damaged. Export it again and upload the new file`,
    );
  }
}

/**
 * The share of work done according to the latest block in a chunk of ffmpeg `-progress` output.
 * Only complete lines count: a pipe chunk can end mid-line ("out_time_us=12|34567"), and
 * reading that fragment would make progress jump backwards.
 */
export function parseProgress(chunk: string, durationSeconds: number): number | null {
  let outTimeMicroseconds: number | null = null;
  const completeLines = chunk.split('\n').slice(0, -1);
  for (const line of completeLines) {
    const separator = line.indexOf('=');
    if (separator < 0) continue;
    const key = line.slice(0, separator).trim();
    const value = line.slice(separator + 1).trim();
    if (key === 'progress' && value === 'end') return 1;
    // Despite its name, ffmpeg writes out_time_ms in microseconds too.
    if (key === 'out_time_us' || key === 'out_time_ms') {
      const parsed = Number(value);
      if (value !== '' && Number.isFinite(parsed)) outTimeMicroseconds = parsed;
    }
  }
  if (outTimeMicroseconds === null || !(durationSeconds > 0)) return null;
  // 1 is kept for progress=end: the muxer still writes manifests after the last frame.
  return Math.min(0.99, Math.max(0, outTimeMicroseconds / 1_000_000 / durationSeconds));
}

interface Attribute {
  name: string;
  value: string;
}

function parseAttributeList(list: string): Attribute[] {
  return Array.from(list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g), (match) => ({
    name: match[1] ?? '',
    value: match[2] ?? '',
  }));
}

function withAttributes(attributes: Attribute[], updates: Record<string, string>): string {
  const merged = attributes.map((attribute) =>
    attribute.name in updates ? { name: attribute.name, value: updates[attribute.name] ?? attribute.value } : attribute,
  );
  for (const [name, value] of Object.entries(updates)) {
    if (!attributes.some((attribute) => attribute.name === name)) merged.push({ name, value });
  }
  return merged.map((attribute) => `${attribute.name}=${attribute.value}`).join(',');
}

/**
 * ffmpeg's dash muxer writes a usable master playlist (RESOLUTION and CODECS included), but its
 * BANDWIDTH is the *average* target bitrate. HLS defines BANDWIDTH as the peak, and players
 * (Safari, hls.js) pick renditions by it, so this declares the VBV cap (maxrate) plus audio as
 * BANDWIDTH, the target as AVERAGE-BANDWIDTH, and adds FRAME-RATE, the audio channel count and
 * EXT-X-INDEPENDENT-SEGMENTS (every segment starts with an IDR frame).
 */
export function rewriteHlsMaster(text: string, rungs: readonly Rung[], info: SourceInfo): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const output: string[] = [];
  for (const [position, line] of lines.entries()) {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines[position + 1] ?? '';
      const rung = rungs.find((_, index) => uri === hlsMediaPlaylistName(index));
      if (!rung) {
        output.push(line);
        continue;
      }
      const audioBitrate = info.hasAudio ? rung.audioBitrate : 0;
      const attributes = parseAttributeList(line.slice('#EXT-X-STREAM-INF:'.length));
      const updated = withAttributes(attributes, {
        BANDWIDTH: String(rung.maxrate + audioBitrate),
        'AVERAGE-BANDWIDTH': String(rung.videoBitrate + audioBitrate),
        'FRAME-RATE': rung.frameRate.toFixed(3),
      });
      output.push(`#EXT-X-STREAM-INF:${updated}`);
    } else if (line.startsWith('#EXT-X-MEDIA:') && line.includes('TYPE=AUDIO')) {
      const attributes = parseAttributeList(line.slice('#EXT-X-MEDIA:'.length));
      output.push(`#EXT-X-MEDIA:${withAttributes(attributes, { CHANNELS: `"${AUDIO_CHANNELS}"` })}`);
    } else {
      output.push(line);
    }
    if (line === '#EXTM3U' && !lines.includes('#EXT-X-INDEPENDENT-SEGMENTS')) {
      output.push('#EXT-X-INDEPENDENT-SEGMENTS');
    }
  }
  return `${output.join('\n')}\n`;
}
