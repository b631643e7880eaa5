import { describe, expect, it } from 'vitest';
import { embedCode, embedLink, formatStartParam, parseEmbedOptions, parseStartTime, watchLink } from '../src/lib/share.ts';
import { parseEmbedCommand, runEmbedCommand, type EmbeddableMedia } from '../src/player/embed-api.ts';

describe('start times in shared links', () => {
  it('reads seconds, YouTube h/m/s and clock forms', () => {
    expect(parseStartTime('90')).toBe(90);
    expect(parseStartTime('90s')).toBe(90);
    expect(parseStartTime('1m23s')).toBe(83);
    expect(parseStartTime('1h2m3s')).toBe(3723);
    expect(parseStartTime('2m')).toBe(120);
    expect(parseStartTime('1h')).toBe(3600);
    expect(parseStartTime('1:23')).toBe(83);
    expect(parseStartTime('1:02:03')).toBe(3723);
    expect(parseStartTime(' 12.5 ')).toBe(12.5);
  });

  it('ignores what is not a time', () => {
    for (const value of [null, undefined, '', 'abc', '-5', '1m-3s', 's', '1:2:3:4', '99999999', '1x']) expect(parseStartTime(value)).toBeNull();
  });

  it('writes links with YouTube start times, leaving out a start at 0', () => {
    expect(formatStartParam(83)).toBe('1m23s');
    expect(formatStartParam(3723.9)).toBe('1h2m3s');
    expect(formatStartParam(3600)).toBe('1h0m0s');
    expect(formatStartParam(7)).toBe('7s');
    expect(watchLink('https://tube.example', 'abc', 83)).toBe('https://tube.example/watch/abc?t=1m23s');
    expect(watchLink('https://tube.example', 'abc', 0.4)).toBe('https://tube.example/watch/abc');
    expect(watchLink('https://tube.example', 'abc')).toBe('https://tube.example/watch/abc');
    // What is written reads back as the same second.
    expect(parseStartTime(formatStartParam(4321))).toBe(4321);
  });
});

describe('embed links and code', () => {
  it('writes only the options that differ from the defaults', () => {
    expect(embedLink('https://t.example', 'v1')).toBe('https://t.example/embed/v1');
    expect(embedLink('https://t.example', 'v1', { autoplay: true, muted: true, loop: true, controls: false, start: 90.7 })).toBe(
      'https://t.example/embed/v1?autoplay=1&muted=1&loop=1&controls=0&start=90',
    );
  });

  it('reads them back, with YouTube’s spellings', () => {
    expect(parseEmbedOptions(new URLSearchParams('autoplay=1&muted=1&loop=1&controls=0&start=90'))).toEqual({
      autoplay: true,
      muted: true,
      loop: true,
      controls: false,
      start: 90,
    });
    expect(parseEmbedOptions(new URLSearchParams(''))).toEqual({ autoplay: false, muted: false, loop: false, controls: true, start: 0 });
    expect(parseEmbedOptions(new URLSearchParams('mute=1&t=1m5s&start=oops')).muted).toBe(true);
    expect(parseEmbedOptions(new URLSearchParams('t=1m5s')).start).toBe(65);
    expect(parseEmbedOptions(new URLSearchParams('start=oops')).start).toBe(0);
  });

  it('makes an iframe whose attributes cannot be broken out of', () => {
    expect(embedCode('https://t.example/embed/v1?autoplay=1&muted=1', 'Say "hi" <now>')).toBe(
      '<iframe width="560" height="315" src="https://t.example/embed/v1?autoplay=1&amp;muted=1" title="Say &quot;hi&quot; &lt;now&gt;" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>',
    );
  });
});

describe('embed API commands', () => {
  it('accepts only well-formed commands', () => {
    expect(parseEmbedCommand({ tube: 'command', method: 'seek', args: [12], id: 7 })).toEqual({ method: 'seek', args: [12], id: 7 });
    expect(parseEmbedCommand({ tube: 'command', method: 'play' })).toEqual({ method: 'play', args: [], id: null });
    for (const data of [
      null,
      'play',
      { method: 'play' },
      { tube: 'command', method: 'eval' },
      { tube: 'command', method: 'seek', args: ['1'] },
      { tube: 'command', method: 'seek', args: [Number.NaN] },
    ]) {
      expect(parseEmbedCommand(data)).toBeNull();
    }
  });

  class FakeMedia implements EmbeddableMedia {
    currentTime = 0;
    duration = 30;
    paused = true;
    muted = false;
    volume = 1;
    async play() {
      this.paused = false;
    }
    pause() {
      this.paused = true;
    }
  }

  it('runs them against the media element', async () => {
    const media = new FakeMedia();
    const run = (method: string, args: number[] = []) => runEmbedCommand(media, parseEmbedCommand({ tube: 'command', method, args })!);
    await run('play');
    expect(media.paused).toBe(false);
    expect(await run('seek', [12.5])).toBe(12.5);
    expect(await run('getCurrentTime')).toBe(12.5);
    expect(await run('seek', [99])).toBe(30);
    expect(await run('getDuration')).toBe(30);
    await run('pause');
    await run('mute');
    expect(await run('getState')).toEqual({ currentTime: 30, duration: 30, paused: true, muted: true, volume: 1 });
    expect(await run('setVolume', [0.25])).toBe(0.25);
    await expect(run('setVolume', [2])).rejects.toThrow('0 to 1');
    await expect(run('seek')).rejects.toThrow('position in seconds');
  });
});
