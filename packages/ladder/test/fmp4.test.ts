import { describe, expect, it } from 'vitest';
import { fragmentTiming, retimeFragment } from '../src/index.ts';

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

const u32 = (...values: number[]) =>
  Buffer.concat(
    values.map((value) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(value);
      return b;
    }),
  );
const u64 = (value: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
};

/** A media segment as ffmpeg's mp4 muxer writes it: sidx, then moof (mfhd, traf: tfhd, tfdt v1, trun) and mdat. */
function segment(options: { sequence: number; decodeTime: number; durations: number[]; firstKey: boolean }): Buffer {
  const sidx = box('sidx', u32(0x01000000, 1, 12800), u64(options.decodeTime), u64(0), u32(0, 0, 0, 0));
  const mfhd = box('mfhd', u32(0, options.sequence));
  // tfhd: default-base-is-moof (0x20000) + default sample flags (0x20) = non-sync.
  const tfhd = box('tfhd', u32(0x020020, 1, 0x00010000));
  const tfdt = box('tfdt', u32(0x01000000), u64(options.decodeTime));
  // trun: data offset, first-sample-flags, per-sample duration and size.
  const firstFlags = options.firstKey ? 0x02000000 : 0x00010000;
  const trun = box('trun', u32(0x000305, options.durations.length, 0, firstFlags), ...options.durations.map((duration) => u32(duration, 100)));
  return Buffer.concat([sidx, box('moof', mfhd, box('traf', tfhd, tfdt, trun)), box('mdat', Buffer.alloc(100 * options.durations.length))]);
}

describe('fragmentTiming', () => {
  it('reads the sequence number, decode time, duration and whether it starts with a sync sample', () => {
    expect(fragmentTiming(segment({ sequence: 3, decodeTime: 51200, durations: [512, 512, 512], firstKey: true }))).toEqual({
      sequenceNumber: 3,
      baseMediaDecodeTime: 51200,
      durationTicks: 1536,
      sampleCount: 3,
      startsWithSyncSample: true,
    });
    expect(fragmentTiming(segment({ sequence: 1, decodeTime: 0, durations: [512], firstKey: false })).startsWithSyncSample).toBe(false);
  });

  it('refuses something that is not a media segment', () => {
    expect(() => fragmentTiming(box('ftyp', Buffer.from('isom')))).toThrow(/not a media segment/);
  });
});

describe('retimeFragment', () => {
  it('moves tfdt and sidx by the offset and renumbers mfhd, leaving the original alone', () => {
    const original = segment({ sequence: 1, decodeTime: 1024, durations: [512, 512], firstKey: true });
    const moved = retimeFragment(original, { decodeTimeOffset: 153600, sequenceNumber: 7 });
    expect(fragmentTiming(moved)).toMatchObject({ sequenceNumber: 7, baseMediaDecodeTime: 154624, durationTicks: 1024 });
    // sidx earliest_presentation_time (v1: after version/flags, reference ID and timescale).
    expect(Number(Buffer.from(moved).readBigUInt64BE(8 + 12))).toBe(154624);
    expect(fragmentTiming(original).baseMediaDecodeTime).toBe(1024);
    expect(moved.length).toBe(original.length);
  });
});
