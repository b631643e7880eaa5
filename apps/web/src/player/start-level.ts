/**
 * Starting sharp: which rendition to load first. hls.js on its own starts from a fixed 500 kbit/s guess,
 * which on our ladder is the lowest rung, so short videos spend their first segments blurry. We start from
 * the bandwidth measured during this viewer's last session (or the browser's network hint), keep a margin,
 * and never start above what the player can show.
 */

export const BANDWIDTH_STORAGE_KEY = 'tube.bandwidth';
/** Only this share of the estimate is counted on, so the first segment arrives in time. */
export const START_SAFETY_FACTOR = 0.7;
/** Used when nothing was measured before and the browser gives no hint (hls.js' own default is 500 kbit/s). */
export const DEFAULT_START_ESTIMATE = 2_000_000;
/** Estimates older than this are ignored (the viewer may be on another network). */
export const ESTIMATE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export interface LevelInfo {
  width: number;
  height: number;
  /** Peak bits per second. */
  bitrate: number;
}

export interface StoredEstimate {
  bitsPerSecond: number;
  at: number;
}

export function readStoredEstimate(stored: string | null, now = Date.now()): number | null {
  if (!stored) return null;
  try {
    const value = JSON.parse(stored) as Partial<StoredEstimate>;
    if (typeof value.bitsPerSecond !== 'number' || typeof value.at !== 'number' || !Number.isFinite(value.bitsPerSecond) || value.bitsPerSecond <= 0)
      return null;
    return now - value.at <= ESTIMATE_MAX_AGE_MS ? value.bitsPerSecond : null;
  } catch {
    return null;
  }
}

/** The first estimate: last session's measurement, else the browser's downlink hint (Mbit/s), else our default. */
export function initialEstimate(stored: number | null, downlinkMbps: number | null | undefined): number {
  if (stored !== null) return stored;
  if (typeof downlinkMbps === 'number' && Number.isFinite(downlinkMbps) && downlinkMbps > 0) return downlinkMbps * 1_000_000;
  return DEFAULT_START_ESTIMATE;
}

/**
 * The index of the level to start with: the best one whose bitrate fits the estimate (with the safety margin)
 * and that is not larger than the player in device pixels (the smallest level covering the player is allowed,
 * as hls.js' capLevelToPlayerSize does). Falls back to the lowest level.
 */
export function chooseStartLevel(levels: readonly LevelInfo[], estimateBitsPerSecond: number, player: { width: number; height: number } | null): number {
  if (levels.length === 0) return -1;
  const order = levels.map((level, index) => ({ level, index })).sort((a, b) => a.level.height - b.level.height || a.level.bitrate - b.level.bitrate);
  let sizeCap = order.length - 1;
  if (player && player.width > 0 && player.height > 0) {
    const covering = order.findIndex(({ level }) => level.width >= player.width || level.height >= player.height);
    sizeCap = covering === -1 ? order.length - 1 : covering;
  }
  const budget = estimateBitsPerSecond * START_SAFETY_FACTOR;
  let chosen = 0;
  for (let position = 0; position <= sizeCap; position++) {
    if (order[position]!.level.bitrate <= budget) chosen = position;
  }
  return order[chosen]!.index;
}

/** Fragments smaller than this say more about latency than bandwidth. */
export const MIN_SAMPLE_BYTES = 16 * 1024;
/** Loads faster than this are counted as this long (timer resolution, loopback). */
export const MIN_SAMPLE_MS = 20;

/** Bits per second of one fragment download, or null when it is too small to tell. */
export function fragmentThroughput(loadedBytes: number, startMs: number, endMs: number): number | null {
  if (!(loadedBytes >= MIN_SAMPLE_BYTES) || !(endMs >= startMs)) return null;
  return (loadedBytes * 8 * 1000) / Math.max(MIN_SAMPLE_MS, endMs - startMs);
}

/** Running estimate: each new sample counts half (recent downloads matter most for the next start). */
export function blendEstimate(previous: number | null, sample: number): number {
  return previous === null ? sample : previous / 2 + sample / 2;
}
