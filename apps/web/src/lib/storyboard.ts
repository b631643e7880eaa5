/** One scrub-preview tile: a region of a sprite image shown for a span of the video. */
export interface StoryboardTile {
  startSeconds: number;
  endSeconds: number;
  imageUrl: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const TIMING_LINE = /^\s*(\S+)\s+-->\s+(\S+)/;

/** "01:02:03.500", "02:03.500" or "03.5" → seconds; NaN when malformed. */
export function parseVttTimestamp(text: string): number {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((part) => !/^\d+(\.\d+)?$/.test(part))) return Number.NaN;
  return parts.reduce((total, part) => total * 60 + Number(part), 0);
}

/**
 * Parses a WebVTT "thumbnails" track, whose cue payloads are `sprite.jpg#xywh=x,y,w,h`.
 * Image URLs are resolved against the track's own URL (they are usually relative and the
 * track may carry signed query parameters that the sprite does not need).
 * Cues without a usable `#xywh` fragment are skipped rather than failing the whole track.
 */
export function parseStoryboardVtt(vttText: string, trackUrl: string): StoryboardTile[] {
  const lines = vttText.replace(/\r\n?/g, '\n').split('\n');
  if (!lines[0]?.startsWith('WEBVTT')) return [];
  const tiles: StoryboardTile[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const timing = TIMING_LINE.exec(lines[index] ?? '');
    if (!timing) continue;
    const payload = (lines[index + 1] ?? '').trim();
    index += 1;
    const startSeconds = parseVttTimestamp(timing[1] ?? '');
    const endSeconds = parseVttTimestamp(timing[2] ?? '');
    const hashAt = payload.lastIndexOf('#xywh=');
    if (Number.isNaN(startSeconds) || Number.isNaN(endSeconds) || hashAt <= 0) continue;
    const region = payload
      .slice(hashAt + '#xywh='.length)
      .split(',')
      .map((value) => Number(value));
    const [x, y, width, height] = region;
    if (region.length !== 4 || x === undefined || y === undefined || width === undefined || height === undefined) continue;
    if (region.some((value) => !Number.isFinite(value) || value < 0) || width === 0 || height === 0) continue;
    let imageUrl: string;
    try {
      imageUrl = new URL(payload.slice(0, hashAt), trackUrl).toString();
    } catch {
      continue;
    }
    tiles.push({ startSeconds, endSeconds, imageUrl, x, y, width, height });
  }
  return tiles.sort((a, b) => a.startSeconds - b.startSeconds);
}

/** The tile covering `seconds` (binary search; tiles are sorted), or the last one past the end. */
export function findStoryboardTile(tiles: readonly StoryboardTile[], seconds: number): StoryboardTile | null {
  if (tiles.length === 0) return null;
  let low = 0;
  let high = tiles.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((tiles[middle]?.startSeconds ?? Number.POSITIVE_INFINITY) <= seconds) low = middle;
    else high = middle - 1;
  }
  return tiles[low] ?? null;
}
