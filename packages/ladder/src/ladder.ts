import type { SourceInfo } from './probe.ts';

/** One rendition of the adaptive-bitrate ladder. Bitrates are in bits per second. */
export interface Rung {
  /** "720p": the short side of the frame, so a 720×1280 portrait rendition is also "720p". */
  name: string;
  width: number;
  height: number;
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

/**
 * H.264 targets per short side, close to what large platforms serve for 30 fps content.
 * Rate control is capped VBR: x264 aims for `videoBitrate` and may peak at 1.5× it
 * (`maxrate`) with a 2× buffer (`bufsize`, i.e. bursts of about a second), which keeps
 * segment sizes predictable for ABR players without starving hard scenes.
 */
export const STANDARD_RUNGS: ReadonlyArray<{ shortSide: number; videoBitrate: number }> = [
  { shortSide: 144, videoBitrate: 150_000 },
  { shortSide: 240, videoBitrate: 300_000 },
  { shortSide: 360, videoBitrate: 700_000 },
  { shortSide: 480, videoBitrate: 1_200_000 },
  { shortSide: 720, videoBitrate: 2_500_000 },
  { shortSide: 1080, videoBitrate: 5_000_000 },
  { shortSide: 1440, videoBitrate: 9_000_000 },
  { shortSide: 2160, videoBitrate: 16_000_000 },
];

export const MAXRATE_FACTOR = 1.5;
export const BUFSIZE_FACTOR = 2;
export const AUDIO_BITRATE = 128_000;
export const MAX_OUTPUT_FPS = 60;

/** Frame rate of every rendition: the source's, capped so 120/240 fps phone clips are not encoded in full. */
export function outputFrameRate(info: Pick<SourceInfo, 'fps'>): number {
  return Math.min(info.fps, MAX_OUTPUT_FPS);
}

function floorToEven(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}

function roundToEven(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

function makeRung(info: Pick<SourceInfo, 'width' | 'height'>, shortSide: number, videoBitrate: number): Rung {
  const portrait = info.height > info.width;
  const sourceShort = portrait ? info.width : info.height;
  const sourceLong = portrait ? info.height : info.width;
  // Rounding the long side up could exceed the source by a pixel; the exact display aspect
  // ratio is restored with setsar when transcoding, so rounding down costs nothing.
  const longSide = Math.min(roundToEven((shortSide * sourceLong) / sourceShort), floorToEven(sourceLong));
  return {
    name: `${shortSide}p`,
    width: portrait ? shortSide : longSide,
    height: portrait ? longSide : shortSide,
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
export function planLadder(info: Pick<SourceInfo, 'width' | 'height'>, options: LadderOptions): Rung[] {
  const sourceShort = Math.min(info.width, info.height);
  const limit = Math.min(sourceShort, options.maxHeight);
  const rungs = STANDARD_RUNGS.filter((rung) => rung.shortSide <= limit).map((rung) =>
    makeRung(info, rung.shortSide, rung.videoBitrate),
  );
  if (rungs.length > 0) return rungs;
  const smallest = STANDARD_RUNGS[0];
  if (!smallest) throw new Error('STANDARD_RUNGS is empty');
  return [makeRung(info, floorToEven(limit), smallest.videoBitrate)];
}
