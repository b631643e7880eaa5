/** The parts of a video (seconds) one playback session has watched, so each moment is reported once. */
export class WatchedRanges {
  private ranges: [number, number][] = [];

  /** Marks [from, to) watched and returns the pieces of it that were not watched before. */
  add(from: number, to: number): [number, number][] {
    if (!(to > from)) return [];
    const fresh: [number, number][] = [];
    let cursor = from;
    for (const [start, end] of this.ranges) {
      if (end <= cursor) continue;
      if (start >= to) break;
      if (start > cursor) fresh.push([cursor, Math.min(start, to)]);
      cursor = Math.max(cursor, end);
      if (cursor >= to) break;
    }
    if (cursor < to) fresh.push([cursor, to]);
    this.ranges = mergeRanges([...this.ranges, [from, to]]);
    return fresh;
  }

  get watchedSeconds(): number {
    return this.ranges.reduce((sum, [start, end]) => sum + (end - start), 0);
  }
}

/** Sorted, with touching or overlapping ranges joined. */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1] + 1e-6) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}
