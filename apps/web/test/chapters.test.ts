import { describe, expect, it } from 'vitest';
import { chapterAt, parseChapters, splitTimestamps, timestampSeconds } from '@tube/shared';

describe('timestamps in text', () => {
  it('finds m:ss and h:mm:ss, not times glued to other text or out of range', () => {
    expect(splitTimestamps('Jump to 0:03 Middle or 1:02:03, not 12:345, v1:23, 1:23.5 or 3:75')).toEqual([
      { kind: 'text', text: 'Jump to ' },
      { kind: 'timestamp', text: '0:03', seconds: 3 },
      { kind: 'text', text: ' Middle or ' },
      { kind: 'timestamp', text: '1:02:03', seconds: 3723 },
      { kind: 'text', text: ', not 12:345, v1:23, 1:23.5 or 3:75' },
    ]);
    expect(timestampSeconds('10:00')).toBe(600);
  });

  it('leaves times past the end of the video as text', () => {
    expect(
      splitTimestamps('see 0:05 and 9:00', 60)
        .filter((part) => part.kind === 'timestamp')
        .map((part) => part.text),
    ).toEqual(['0:05']);
  });
});

describe('chapters (YouTube rules)', () => {
  const description = 'My trip!\n\n0:00 Intro\n0:15 - The harbour\n(1:05) Boats: small & big\n• 2:00 Sunset\nThanks for watching 3:00';

  it('reads chapter lines in their usual forms', () => {
    expect(parseChapters(description, 300)).toEqual([
      { startSeconds: 0, title: 'Intro' },
      { startSeconds: 15, title: 'The harbour' },
      { startSeconds: 65, title: 'Boats: small & big' },
      { startSeconds: 120, title: 'Sunset' },
    ]);
  });

  it('needs 0:00 first, three or more, ascending, each at least 10 s', () => {
    expect(parseChapters('0:05 A\n0:20 B\n0:40 C')).toEqual([]);
    expect(parseChapters('0:00 A\n0:20 B')).toEqual([]);
    expect(parseChapters('0:00 A\n0:40 B\n0:20 C')).toEqual([]);
    expect(parseChapters('0:00 A\n0:05 B\n0:40 C')).toEqual([]);
    // The last chapter too, when the duration is known.
    expect(parseChapters('0:00 A\n0:20 B\n0:40 C', 45)).toEqual([]);
    expect(parseChapters('0:00 A\n0:20 B\n0:40 C', 50)).toHaveLength(3);
  });

  it('knows the chapter playing at a time', () => {
    const chapters = parseChapters(description, 300);
    expect(chapterAt(chapters, 0)?.title).toBe('Intro');
    expect(chapterAt(chapters, 64.9)?.title).toBe('The harbour');
    expect(chapterAt(chapters, 500)?.title).toBe('Sunset');
    expect(chapterAt([], 5)).toBeNull();
  });
});
