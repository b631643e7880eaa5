import { describe, expect, it } from 'vitest';
import { outputFrameRate, planLadder, type Rung } from '../src/index.ts';

function sizes(rungs: Rung[]): string[] {
  return rungs.map((rung) => `${rung.name} ${rung.width}x${rung.height}`);
}

describe('planLadder', () => {
  it('builds every rung up to 1080p for a 1080p source, with bitrates', () => {
    const rungs = planLadder({ width: 1920, height: 1080 }, { maxHeight: 2160 });
    expect(sizes(rungs)).toEqual([
      '144p 256x144',
      '240p 426x240',
      '360p 640x360',
      '480p 854x480',
      '720p 1280x720',
      '1080p 1920x1080',
    ]);
    expect(rungs[4]).toEqual({
      name: '720p',
      width: 1280,
      height: 720,
      videoBitrate: 2_500_000,
      maxrate: 3_750_000,
      bufsize: 5_000_000,
      audioBitrate: 128_000,
    });
  });

  it('stops at maxHeight', () => {
    expect(sizes(planLadder({ width: 3840, height: 2160 }, { maxHeight: 720 })).at(-1)).toBe('720p 1280x720');
  });

  it('includes 1440p and 2160p for a 4K source', () => {
    expect(planLadder({ width: 3840, height: 2160 }, { maxHeight: 2160 }).map((rung) => rung.name)).toEqual([
      '144p',
      '240p',
      '360p',
      '480p',
      '720p',
      '1080p',
      '1440p',
      '2160p',
    ]);
  });

  it('never upscales: a 1000x562 source tops out at 480p', () => {
    expect(sizes(planLadder({ width: 1000, height: 562 }, { maxHeight: 1080 })).at(-1)).toBe('480p 854x480');
  });

  it('measures portrait video by its short side', () => {
    expect(sizes(planLadder({ width: 1080, height: 1920 }, { maxHeight: 1080 }))).toEqual([
      '144p 144x256',
      '240p 240x426',
      '360p 360x640',
      '480p 480x854',
      '720p 720x1280',
      '1080p 1080x1920',
    ]);
  });

  it('keeps both dimensions even and within the source for odd sizes', () => {
    expect(sizes(planLadder({ width: 427, height: 241 }, { maxHeight: 1080 }))).toEqual([
      '144p 256x144',
      '240p 426x240',
    ]);
  });

  it('gives a source smaller than 144p one rung at its own size, rounded down to even', () => {
    expect(planLadder({ width: 177, height: 99 }, { maxHeight: 1080 })).toEqual([
      {
        name: '98p',
        width: 176,
        height: 98,
        videoBitrate: 150_000,
        maxrate: 225_000,
        bufsize: 300_000,
        audioBitrate: 128_000,
      },
    ]);
  });

  it('handles a tiny portrait source', () => {
    expect(sizes(planLadder({ width: 91, height: 160 }, { maxHeight: 1080 }))).toEqual(['90p 90x158']);
  });
});

describe('outputFrameRate', () => {
  it('caps high frame rates at 60 and keeps the rest', () => {
    expect(outputFrameRate({ fps: 240 })).toBe(60);
    expect(outputFrameRate({ fps: 30000 / 1001 })).toBe(30000 / 1001);
  });
});
