import { describe, expect, it } from 'vitest';
import { buildChunkedPlan } from '../../src/transcoding/chunked/chunked-plan.ts';
import { samePlan } from '../../src/transcoding/early/early-start.service.ts';
import { sourceInfo } from '../helpers/sources.ts';

const info = sourceInfo({ durationSeconds: 60, sizeBytes: 30_000_000 });
const options = { maxHeight: 2160, segmentSeconds: 4, chunkSeconds: 12, splitSeconds: 36 };

describe('confirming a plan made during the upload', () => {
  it('holds when the whole file gives the same plan, whatever order jsonb gave the keys back in', () => {
    const early = buildChunkedPlan(info, options);
    // Every object's keys in reverse order, as a jsonb round trip may return them.
    const reverseKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reverseKeys)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([key, item]) => [key, reverseKeys(item)]),
            )
          : value;
    const fromJsonb = reverseKeys(early) as typeof early;
    expect(JSON.stringify(fromJsonb)).not.toBe(JSON.stringify(early));
    expect(samePlan(fromJsonb, buildChunkedPlan(info, options))).toBe(true);
  });

  it('does not hold when the whole file says otherwise (length, size, a bit rate that caps the ladder)', () => {
    const early = buildChunkedPlan(info, options);
    expect(samePlan(early, buildChunkedPlan({ ...info, durationSeconds: 59.5 }, options))).toBe(false);
    expect(samePlan(early, buildChunkedPlan({ ...info, sizeBytes: 30_000_001 }, options))).toBe(false);
    expect(samePlan(early, buildChunkedPlan({ ...info, bitRate: 600_000 }, options))).toBe(false);
  });
});
