import { describe, expect, it } from 'vitest';
import { findStoryboardTile, parseStoryboardVtt, parseVttTimestamp } from '../src/lib/storyboard.ts';

const TRACK_URL = 'https://media.example.test/media/videos/abc/v1/storyboard.vtt?exp=1&sig=xyz';

describe('parseVttTimestamp', () => {
  it('reads hh:mm:ss.mmm, mm:ss.mmm and ss.mmm', () => {
    expect(parseVttTimestamp('01:02:03.500')).toBe(3723.5);
    expect(parseVttTimestamp('02:03.250')).toBe(123.25);
    expect(parseVttTimestamp('4.5')).toBe(4.5);
    expect(parseVttTimestamp('1:2:3:4')).toBeNaN();
    expect(parseVttTimestamp('aa:bb')).toBeNaN();
  });
});

describe('parseStoryboardVtt', () => {
  it('parses sprite regions and resolves relative image URLs against the track', () => {
    const vtt = [
      'WEBVTT',
      '',
      '00:00:00.000 --> 00:00:02.000',
      'storyboard.jpg#xywh=0,0,160,90',
      '',
      '00:00:02.000 --> 00:00:04.000',
      'storyboard.jpg#xywh=160,0,160,90',
      '',
      '1',
      '00:00:04.000 --> 00:00:06.000',
      '/other/sprite-2.jpg#xywh=0,90,160,90',
      '',
    ].join('\r\n');
    const tiles = parseStoryboardVtt(vtt, TRACK_URL);
    expect(tiles).toEqual([
      { startSeconds: 0, endSeconds: 2, imageUrl: 'https://media.example.test/media/videos/abc/v1/storyboard.jpg', x: 0, y: 0, width: 160, height: 90 },
      { startSeconds: 2, endSeconds: 4, imageUrl: 'https://media.example.test/media/videos/abc/v1/storyboard.jpg', x: 160, y: 0, width: 160, height: 90 },
      { startSeconds: 4, endSeconds: 6, imageUrl: 'https://media.example.test/other/sprite-2.jpg', x: 0, y: 90, width: 160, height: 90 },
    ]);
  });

  it('keeps absolute (signed) sprite URLs as they are', () => {
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:02.000\nhttps://cdn.example.test/s.jpg?sig=1#xywh=0,0,100,56\n';
    expect(parseStoryboardVtt(vtt, TRACK_URL)[0]?.imageUrl).toBe('https://cdn.example.test/s.jpg?sig=1');
  });

  it('skips malformed cues instead of failing the whole track', () => {
    const vtt = [
      'WEBVTT',
      '',
      '00:00:00.000 --> 00:00:02.000',
      'storyboard.jpg',
      '',
      '00:00:02.000 --> 00:00:04.000',
      'storyboard.jpg#xywh=0,0,0,90',
      '',
      'broken --> 00:00:06.000',
      'storyboard.jpg#xywh=0,0,160,90',
      '',
      '00:00:06.000 --> 00:00:08.000',
      'storyboard.jpg#xywh=1,2,3',
      '',
      '00:00:08.000 --> 00:00:10.000',
      'storyboard.jpg#xywh=320,0,160,90',
    ].join('\n');
    const tiles = parseStoryboardVtt(vtt, TRACK_URL);
    expect(tiles).toHaveLength(1);
    expect(tiles[0]).toMatchObject({ startSeconds: 8, x: 320 });
  });

  it('rejects documents that are not WebVTT', () => {
    expect(parseStoryboardVtt('<html>oops</html>', TRACK_URL)).toEqual([]);
    expect(parseStoryboardVtt('', TRACK_URL)).toEqual([]);
  });
});

describe('findStoryboardTile', () => {
  const tiles = [0, 2, 4, 6].map((start) => ({ startSeconds: start, endSeconds: start + 2, imageUrl: 'x', x: start * 80, y: 0, width: 160, height: 90 }));

  it('finds the tile covering a time', () => {
    expect(findStoryboardTile(tiles, 0)?.startSeconds).toBe(0);
    expect(findStoryboardTile(tiles, 1.99)?.startSeconds).toBe(0);
    expect(findStoryboardTile(tiles, 2)?.startSeconds).toBe(2);
    expect(findStoryboardTile(tiles, 5.5)?.startSeconds).toBe(4);
    expect(findStoryboardTile(tiles, 100)?.startSeconds).toBe(6);
  });

  it('handles empty tracks and times before the first tile', () => {
    expect(findStoryboardTile([], 3)).toBeNull();
    expect(findStoryboardTile(tiles.slice(1), 0)?.startSeconds).toBe(2);
  });
});
