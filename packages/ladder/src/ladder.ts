import type { SourceInfo } from './probe.ts';

/** One rendition of the adaptive-bitrate ladder. Bitrates are in bits per second. */
export interface Rung {
  /** "720p": the short side of the frame, so a 720×1280 portrait rendition is also "720p". */
  name: string;
  width: number;
  height: number;
  /** Output frame rate: the source's, capped at 60, and at 30 below 720p (halving 50/60 fps sources). */
  frameRate: number;
  videoBitrate: number;
  /** VBV cap handed to x264; also what the HLS master declares as the rendition's peak. */
  maxrate: number;
  bufsize: number;
  /** The one shared AAC stream's bitrate; every rung plays the same audio. */
  audioBitrate: number;
}

export interface LadderOptions {
  /** Largest short side to produce, e.g. 1080 (an instance may refuse to spend CPU on 4K). */
  maxHeight: number;
}

/** The short sides of the standard rungs. */
export const STANDARD_SHORT_SIDES = [144, 240, 360, 480, 720, 1080, 1440, 2160] as const;

/**
 * H.264 bits per pixel per frame by short side (PeerTube's table, extended at both ends): a rung's target
 * bitrate is bpp × width × height × fps. Smaller frames need more bits per pixel to look acceptable.
 */
export const BITS_PER_PIXEL: Readonly<Record<number, number>> = { 144: 0.19, 240: 0.17, 360: 0.15, 480: 0.12, 720: 0.11, 1080: 0.1, 1440: 0.09, 2160: 0.08 };

/**
 * Rate control is capped VBR: x264 aims for `videoBitrate` and may peak at 1.5× it (`maxrate`) with a 2×
 * buffer (`bufsize`, bursts of about a second), which keeps segment sizes predictable for ABR players.
 */
export const MAXRATE_FACTOR = 1.5;
export const BUFSIZE_FACTOR = 2;
/** No rung gets more than this multiple of the source's own bitrate: re-encoding cannot add detail. */
export const SOURCE_BITRATE_CAP = 1.3;
export const MIN_VIDEO_BITRATE = 50_000;
export const AUDIO_BITRATE = 128_000;
export const MAX_OUTPUT_FPS = 60;
/** Rungs below this short side are capped at LOW_RUNG_MAX_FPS: small screens gain little from 60 fps. */
export const HIGH_FPS_MIN_SHORT_SIDE = 720;
export const LOW_RUNG_MAX_FPS = 30;

/** The highest frame rate any rendition has: the source's, capped so 120/240 fps phone clips are not encoded in full. */
export function outputFrameRate(info: Pick<SourceInfo, 'fps'>): number {
  return rungFrameRate(info.fps, Number.POSITIVE_INFINITY);
}

/** A rung's frame rate: halving 50/60 fps where that fits under the cap keeps motion even (50 → 25, not 30). */
export function rungFrameRate(sourceFps: number, shortSide: number): number {
  const cap = shortSide >= HIGH_FPS_MIN_SHORT_SIDE ? MAX_OUTPUT_FPS : LOW_RUNG_MAX_FPS;
  if (sourceFps <= cap) return sourceFps;
  const half = sourceFps / 2;
  return Math.min(half, cap);
}

function floorToEven(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}

function roundToEven(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

type PlanInput = Pick<SourceInfo, 'width' | 'height' | 'fps'> & Partial<Pick<SourceInfo, 'bitRate'>>;

function bitsPerPixel(shortSide: number): number {
  const known = STANDARD_SHORT_SIDES.filter((side) => side <= shortSide).at(-1) ?? 144;
  return BITS_PER_PIXEL[known] ?? 0.19;
}

function makeRung(info: PlanInput, shortSide: number): Rung {
  const portrait = info.height > info.width;
  const sourceShort = portrait ? info.width : info.height;
  const sourceLong = portrait ? info.height : info.width;
  // Rounding the long side up could exceed the source by a pixel; the exact display aspect
  // ratio is restored with setsar when transcoding, so rounding down costs nothing.
  const longSide = Math.min(roundToEven((shortSide * sourceLong) / sourceShort), floorToEven(sourceLong));
  const width = portrait ? shortSide : longSide;
  const height = portrait ? longSide : shortSide;
  const frameRate = rungFrameRate(info.fps, shortSide);
  let videoBitrate = bitsPerPixel(shortSide) * width * height * frameRate;
  if (info.bitRate) videoBitrate = Math.min(videoBitrate, info.bitRate * SOURCE_BITRATE_CAP);
  videoBitrate = Math.max(MIN_VIDEO_BITRATE, Math.round(videoBitrate / 1000) * 1000);
  return {
    name: `${shortSide}p`,
    width,
    height,
    frameRate,
    videoBitrate,
    maxrate: Math.round(videoBitrate * MAXRATE_FACTOR),
    bufsize: Math.round(videoBitrate * BUFSIZE_FACTOR),
    audioBitrate: AUDIO_BITRATE,
  };
}

/**
 * Renditions to encode, smallest first. Never upscales: a standard rung is kept only when
 * its short side fits within both the source's short side and `maxHeight`. A source smaller
 * than the smallest rung still gets one rendition at its own size (rounded down to even).
 */
export function planLadder(info: PlanInput, options: LadderOptions): Rung[] {
  const sourceShort = Math.min(info.width, info.height);
  const limit = Math.min(sourceShort, options.maxHeight);
  const rungs = STANDARD_SHORT_SIDES.filter((side) => side <= limit).map((side) => makeRung(info, side));
  if (rungs.length > 0) return rungs;
  return [makeRung(info, floorToEven(limit))];
}
