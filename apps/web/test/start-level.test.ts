import { describe, expect, it } from 'vitest';
import { chooseStartLevel, DEFAULT_START_ESTIMATE, ESTIMATE_MAX_AGE_MS, initialEstimate, readStoredEstimate } from '../src/player/start-level.ts';

// hls.js lists levels in manifest order; ours is lowest first, but the choice must not depend on it.
const LADDER = [
  { width: 1280, height: 720, bitrate: 4_000_000 },
  { width: 256, height: 144, bitrate: 300_000 },
  { width: 640, height: 360, bitrate: 1_200_000 },
  { width: 854, height: 480, bitrate: 2_000_000 },
];
const INDEX = { p720: 0, p144: 1, p360: 2, p480: 3 };

describe('start level', () => {
  it('starts at the best rung the estimate affords, with a margin', () => {
    expect(chooseStartLevel(LADDER, 10_000_000, null)).toBe(INDEX.p720);
    expect(chooseStartLevel(LADDER, 3_000_000, null)).toBe(INDEX.p480);
    // 2 Mbit/s × 0.7 is below 480p's 2 Mbit/s.
    expect(chooseStartLevel(LADDER, 2_000_000, null)).toBe(INDEX.p360);
    // hls.js' own 500 kbit/s default: the lowest rung, which is what every video used to start at.
    expect(chooseStartLevel(LADDER, 500_000, null)).toBe(INDEX.p144);
    expect(chooseStartLevel(LADDER, 1, null)).toBe(INDEX.p144);
  });

  it('never starts above the player: the smallest rung covering it at most', () => {
    // A 390 px wide phone player at 3× is 1170×658 device pixels: 720p covers it.
    expect(chooseStartLevel(LADDER, 50_000_000, { width: 1170, height: 658 })).toBe(INDEX.p720);
    // A small embed, 400×225 at 1×: 360p is the smallest covering it; 700×394 needs 480p.
    expect(chooseStartLevel(LADDER, 50_000_000, { width: 400, height: 225 })).toBe(INDEX.p360);
    expect(chooseStartLevel(LADDER, 50_000_000, { width: 700, height: 394 })).toBe(INDEX.p480);
    expect(chooseStartLevel(LADDER, 50_000_000, { width: 200, height: 112 })).toBe(INDEX.p144);
    expect(chooseStartLevel([], 50_000_000, null)).toBe(-1);
  });

  it('takes last session’s measurement, else the browser’s hint, else a default above hls.js’ 500 kbit/s', () => {
    const now = 1_000_000_000_000;
    expect(readStoredEstimate(JSON.stringify({ bitsPerSecond: 8_000_000, at: now - 1000 }), now)).toBe(8_000_000);
    expect(readStoredEstimate(JSON.stringify({ bitsPerSecond: 8_000_000, at: now - ESTIMATE_MAX_AGE_MS - 1 }), now)).toBeNull();
    expect(readStoredEstimate(JSON.stringify({ bitsPerSecond: -5, at: now }), now)).toBeNull();
    expect(readStoredEstimate('nope', now)).toBeNull();
    expect(initialEstimate(8_000_000, 1.5)).toBe(8_000_000);
    expect(initialEstimate(null, 10)).toBe(10_000_000);
    expect(initialEstimate(null, undefined)).toBe(DEFAULT_START_ESTIMATE);
    expect(DEFAULT_START_ESTIMATE).toBeGreaterThan(500_000);
  });
});

describe('measuring for next time', () => {
  it('counts only fragments big enough to tell, with a floor on very fast loads', async () => {
    const { fragmentThroughput, blendEstimate, MIN_SAMPLE_BYTES } = await import('../src/player/start-level.ts');
    expect(fragmentThroughput(500_000, 1000, 1400)).toBe(10_000_000);
    expect(fragmentThroughput(500_000, 1000, 1001)).toBe(200_000_000);
    expect(fragmentThroughput(MIN_SAMPLE_BYTES - 1, 0, 100)).toBeNull();
    expect(fragmentThroughput(500_000, 10, 5)).toBeNull();
    expect(blendEstimate(null, 8_000_000)).toBe(8_000_000);
    expect(blendEstimate(8_000_000, 4_000_000)).toBe(6_000_000);
  });
});
