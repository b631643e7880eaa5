import { describe, expect, it } from 'vitest';
import { mergeRanges, WatchedRanges } from '../src/lib/watched-ranges.ts';

describe('watched ranges', () => {
  it('returns only the parts not watched before', () => {
    const watched = new WatchedRanges();
    expect(watched.add(0, 10)).toEqual([[0, 10]]);
    expect(watched.add(5, 15)).toEqual([[10, 15]]);
    expect(watched.add(20, 25)).toEqual([[20, 25]]);
    expect(watched.add(2, 30)).toEqual([
      [15, 20],
      [25, 30],
    ]);
    expect(watched.add(3, 4)).toEqual([]);
    expect(watched.watchedSeconds).toBe(30);
  });

  it('merges touching ranges', () => {
    expect(
      mergeRanges([
        [5, 6],
        [0, 2],
        [2, 3],
      ]),
    ).toEqual([
      [0, 3],
      [5, 6],
    ]);
  });
});
