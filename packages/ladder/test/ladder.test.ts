import { describe, expect, it } from 'vitest';
import { outputFrameRate, planLadder, rungFrameRate, type Rung } from '../src/index.ts';

function sizes(rungs: Rung[]): string[] {
  return rungs.map((rung) => `${rung.name} ${rung.width}x${rung.height}`);
}
const fps30 = { fps: 30 };

describe('planLadder', () => {
  it('builds every rung up to 1080p for a 1080p30 source, with bits-per-pixel bitrates', () => {
    const rungs = planLadder({ width: 1920, height: 1080, ...fps30 }, { maxHeight: 2160 });
    expect(sizes(rungs)).toEqual(['144p 256x144', '240p 426x240', '360p 640x360', '480p 854x480', '720p 1280x720', '1080p 1920x1080']);
    expect(rungs[4]).toEqual({
      name: '720p',
      width: 1280,
      height: 720,
      frameRate: 30,
      // 0.11 bpp × 1280 × 720 × 30
      videoBitrate: 3_041_000,
      maxrate: 4_561_500,
      bufsize: 6_082_000,
      audioBitrate: 128_000,
    });
    expect(rungs.map((rung) => rung.videoBitrate)).toEqual([210_000, 521_000, 1_037_000, 1_476_000, 3_041_000, 6_221_000]);
  });

  it('never gives a rung more than 1.3× the source bitrate', () => {
    const rungs = planLadder({ width: 1920, height: 1080, fps: 30, bitRate: 2_000_000 }, { maxHeight: 1080 });
    expect(rungs.map((rung) => rung.videoBitrate)).toEqual([210_000, 521_000, 1_037_000, 1_476_000, 2_600_000, 2_600_000]);
  });

  it('stops at maxHeight', () => {
    expect(sizes(planLadder({ width: 3840, height: 2160, ...fps30 }, { maxHeight: 720 })).at(-1)).toBe('720p 1280x720');
  });

  it('includes 1440p and 2160p for a 4K source', () => {
    expect(planLadder({ width: 3840, height: 2160, ...fps30 }, { maxHeight: 2160 }).map((rung) => rung.name)).toEqual([
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
    expect(sizes(planLadder({ width: 1000, height: 562, ...fps30 }, { maxHeight: 1080 })).at(-1)).toBe('480p 854x480');
  });

  it('measures portrait 9:16 video by its short side', () => {
    expect(sizes(planLadder({ width: 1080, height: 1920, ...fps30 }, { maxHeight: 1080 }))).toEqual([
      '144p 144x256',
      '240p 240x426',
      '360p 360x640',
      '480p 480x854',
      '720p 720x1280',
      '1080p 1080x1920',
    ]);
  });

  it('handles a square source', () => {
    expect(sizes(planLadder({ width: 1080, height: 1080, ...fps30 }, { maxHeight: 480 }))).toEqual([
      '144p 144x144',
      '240p 240x240',
      '360p 360x360',
      '480p 480x480',
    ]);
  });

  it('keeps both dimensions even and within the source for odd sizes (1279×721, 427×241)', () => {
    expect(sizes(planLadder({ width: 1279, height: 721, ...fps30 }, { maxHeight: 1080 })).at(-1)).toBe('720p 1278x720');
    expect(sizes(planLadder({ width: 427, height: 241, ...fps30 }, { maxHeight: 1080 }))).toEqual(['144p 256x144', '240p 426x240']);
    for (const rung of planLadder({ width: 1279, height: 721, ...fps30 }, { maxHeight: 1080 })) {
      expect(rung.width % 2).toBe(0);
      expect(rung.height % 2).toBe(0);
      expect(rung.width).toBeLessThanOrEqual(1279);
    }
  });

  it('a tiny 160×120 source gets 1 rung at its own size', () => {
    expect(planLadder({ width: 160, height: 120, fps: 15 }, { maxHeight: 1080 })).toEqual([
      { name: '120p', width: 160, height: 120, frameRate: 15, videoBitrate: 55_000, maxrate: 82_500, bufsize: 110_000, audioBitrate: 128_000 },
    ]);
  });

  it('handles a tiny portrait source', () => {
    expect(sizes(planLadder({ width: 91, height: 160, ...fps30 }, { maxHeight: 1080 }))).toEqual(['90p 90x158']);
  });

  it('keeps 60 fps from 720p up and halves it below', () => {
    const rungs = planLadder({ width: 1920, height: 1080, fps: 60 }, { maxHeight: 1080 });
    expect(rungs.map((rung) => `${rung.name}@${rung.frameRate}`)).toEqual(['144p@30', '240p@30', '360p@30', '480p@30', '720p@60', '1080p@60']);
    // Twice the frames, twice the bits.
    expect(rungs[5]!.videoBitrate).toBe(12_442_000);
  });

  it.each([
    [15, [15, 15]],
    [24, [24, 24]],
    [25, [25, 25]],
    [30000 / 1001, [30000 / 1001, 30000 / 1001]],
    [50, [25, 50]],
    [60000 / 1001, [30000 / 1001, 60000 / 1001]],
    [120, [30, 60]],
  ])('a %s fps source gives 360p at %j[0] and 720p at %j[1]', (fps, [low, high]) => {
    const rungs = planLadder({ width: 1280, height: 720, fps }, { maxHeight: 720 });
    expect(rungs.find((rung) => rung.name === '360p')!.frameRate).toBeCloseTo(low!, 6);
    expect(rungs.find((rung) => rung.name === '720p')!.frameRate).toBeCloseTo(high!, 6);
  });
});

describe('frame rates', () => {
  it('cap high frame rates at 60 overall', () => {
    expect(outputFrameRate({ fps: 240 })).toBe(60);
    expect(outputFrameRate({ fps: 30000 / 1001 })).toBe(30000 / 1001);
  });

  it('rungFrameRate halves where that fits under the cap, else caps', () => {
    expect(rungFrameRate(50, 360)).toBe(25);
    expect(rungFrameRate(72, 360)).toBe(30);
    expect(rungFrameRate(72, 1080)).toBe(36);
    expect(rungFrameRate(144, 1080)).toBe(60);
  });
});
