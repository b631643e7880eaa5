import { describe, expect, it } from 'vitest';
import {
  buildChunkArgs,
  bytesNeededUntil,
  completeProbedInfo,
  detectSourceLayout,
  lateStartReason,
  parseMoovSamples,
  partialInput,
  partialProbeArgs,
  planChunkBytes,
  planChunks,
  planLadder,
  type SourceInfo,
  type TrackSamples,
} from '../src/index.ts';

/** An MP4 box: 32-bit size, type, payload. */
function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, size);
  bytes.set(new TextEncoder().encode(type), 4);
  let offset = 8;
  for (const part of payload) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** A full box payload: version/flags then 32-bit words. */
function words(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 * values.length);
  const view = new DataView(bytes.buffer);
  for (const [index, value] of values.entries()) view.setUint32(4 * index, value);
  return bytes;
}

const concat = (...parts: Uint8Array[]) => box('xxxx', ...parts).slice(8);
const ftyp = box('ftyp', new TextEncoder().encode('isom\0\0\0\0isomavc1'));

describe('detectSourceLayout', () => {
  it('finds moov before mdat (fast start) and says where the index ends', () => {
    const moov = box('moov', box('mvhd', words(0, 0, 0, 1000, 0)));
    const file = concat(ftyp, box('free'), moov, box('mdat', new Uint8Array(100)));
    expect(detectSourceLayout(file, file.length)).toEqual({ kind: 'fast-start', moovStart: ftyp.length + 8, moovEnd: ftyp.length + 8 + moov.length });
  });

  it('tells a moov at the end from the first bytes alone', () => {
    const file = concat(ftyp, box('mdat', new Uint8Array(100)), box('moov'));
    expect(detectSourceLayout(file.slice(0, ftyp.length + 8), file.length)).toEqual({ kind: 'moov-at-end' });
  });

  it('waits for more bytes when the head ends before the deciding box', () => {
    const file = concat(ftyp, box('free', new Uint8Array(64)), box('moov'));
    expect(detectSourceLayout(file.slice(0, ftyp.length + 20), file.length)).toEqual({ kind: 'need-more-bytes' });
    expect(detectSourceLayout(file.slice(0, 4), file.length)).toEqual({ kind: 'need-more-bytes' });
  });

  it('reads 64-bit box sizes', () => {
    const large = new Uint8Array(16);
    const view = new DataView(large.buffer);
    view.setUint32(0, 1);
    large.set(new TextEncoder().encode('free'), 4);
    view.setBigUint64(8, 16n);
    const file = concat(ftyp, large, box('moov'));
    expect(detectSourceLayout(file, file.length)).toMatchObject({ kind: 'fast-start', moovStart: ftyp.length + 16 });
  });

  it('knows Matroska/WebM, fragmented MP4 and other files, with a sentence for the studio', () => {
    expect(detectSourceLayout(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3, 4]), 100)).toEqual({ kind: 'matroska' });
    const fragmented = concat(ftyp, box('moof'), box('mdat'));
    expect(detectSourceLayout(fragmented, fragmented.length)).toEqual({ kind: 'other' });
    expect(detectSourceLayout(new TextEncoder().encode('RIFF....AVI LIST'), 1000)).toEqual({ kind: 'other' });
    // A box claiming to run past the end of the file is not a layout we trust.
    const lying = concat(ftyp, box('moov'));
    expect(detectSourceLayout(lying, lying.length - 1)).toEqual({ kind: 'other' });
    expect(lateStartReason({ kind: 'moov-at-end' })).toMatch(/^Processing starts when the upload completes/);
    expect(lateStartReason({ kind: 'matroska' })).toBeNull();
    expect(lateStartReason({ kind: 'other' })).toMatch(/only fast-start MP4, MKV and WebM files/);
    expect(lateStartReason({ kind: 'fast-start', moovStart: 0, moovEnd: 1 })).toBeNull();
  });
});

/** A moov with one track per entry: timescale, stts runs, sample sizes, stsc runs, chunk offsets. */
function moovOf(
  tracks: { timescale: number; stts: [number, number][]; sizes: number[]; stsc: [number, number][]; offsets: number[]; co64?: boolean; mdhdV1?: boolean }[],
): Uint8Array {
  return box(
    'moov',
    ...tracks.map((track) => {
      const mdhd = track.mdhdV1 ? box('mdhd', words(0x01000000, 0, 0, 0, 0, track.timescale, 0, 0)) : box('mdhd', words(0, 0, 0, track.timescale, 0, 0));
      const co = track.co64
        ? box('co64', words(0, track.offsets.length, ...track.offsets.flatMap((offset) => [Math.floor(offset / 2 ** 32), offset % 2 ** 32])))
        : box('stco', words(0, track.offsets.length, ...track.offsets));
      const stbl = box(
        'stbl',
        box('stts', words(0, track.stts.length, ...track.stts.flat())),
        box('stsc', words(0, track.stsc.length, ...track.stsc.flatMap(([first, count]) => [first, count, 1]))),
        box('stsz', words(0, 0, track.sizes.length, ...track.sizes)),
        co,
      );
      return box('trak', box('mdia', mdhd, box('minf', stbl)));
    }),
  );
}

describe('parseMoovSamples', () => {
  it('gives every sample its decode time and byte range, through stsc runs and 64-bit chunk offsets', () => {
    const moov = moovOf([
      // 5 video samples, 1 per 1/25 s: chunks of 2, 2, 1 samples.
      {
        timescale: 25,
        stts: [[5, 1]],
        sizes: [10, 20, 30, 40, 50],
        stsc: [
          [1, 2],
          [3, 1],
        ],
        offsets: [1000, 2000, 3000],
        mdhdV1: true,
      },
      // 3 audio samples of 1024 ticks at 48 kHz, in one chunk past 4 GiB.
      { timescale: 48000, stts: [[3, 1024]], sizes: [7, 8, 9], stsc: [[1, 3]], offsets: [2 ** 32 + 5], co64: true },
    ]);
    expect(parseMoovSamples(moov)).toEqual([
      { timescale: 25, decodeTimes: [0, 1, 2, 3, 4], offsets: [1000, 1010, 2000, 2030, 3000], sizes: [10, 20, 30, 40, 50] },
      { timescale: 48000, decodeTimes: [0, 1024, 2048], offsets: [2 ** 32 + 5, 2 ** 32 + 12, 2 ** 32 + 20], sizes: [7, 8, 9] },
    ]);
  });

  it('refuses tables that disagree instead of guessing', () => {
    const moov = moovOf([{ timescale: 25, stts: [[2, 1]], sizes: [10, 20, 30], stsc: [[1, 3]], offsets: [100] }]);
    expect(() => parseMoovSamples(moov)).toThrow(/disagree/);
    expect(() => parseMoovSamples(box('free'))).toThrow(/not a moov/);
  });
});

describe('bytes a chunk needs', () => {
  // Interleaved: one second of video then one second of audio, 100 bytes each, from byte 1000.
  const video: TrackSamples = { timescale: 1, decodeTimes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], offsets: [], sizes: [] };
  const audio: TrackSamples = { timescale: 1000, decodeTimes: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000], offsets: [], sizes: [] };
  for (let second = 0; second < 10; second++) {
    video.offsets.push(1000 + 200 * second);
    video.sizes.push(100);
    audio.offsets.push(1100 + 200 * second);
    audio.sizes.push(100);
  }

  it('covers the audio interleaved beside the video up to the time', () => {
    expect(bytesNeededUntil([video, audio], 0)).toBe(1200);
    expect(bytesNeededUntil([video, audio], 2.5)).toBe(1600);
    expect(bytesNeededUntil([video], 2.5)).toBe(1500);
    // Audio stored after all the video (not interleaved): the first second needs nearly the whole file.
    const late: TrackSamples = { ...audio, offsets: audio.offsets.map((_, index) => 3000 + 100 * index) };
    expect(bytesNeededUntil([video, late], 0)).toBe(3100);
  });

  it('plans each chunk up to its end plus the read-ahead; the last chunk waits for the whole file', () => {
    const chunks = planChunks(10, { segmentSeconds: 1, chunkSeconds: 3 });
    expect(chunks.map((chunk) => [chunk.startSeconds, chunk.endSeconds])).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect(planChunkBytes([video, audio], chunks, { moovEnd: 900, totalBytes: 3000 }, 3)).toEqual([2400, 3000, 3000]);
    expect(planChunkBytes([video, audio], chunks, { moovEnd: 900, totalBytes: 3000 }, 0)).toEqual([1800, 2400, 3000]);
    // Never before the index itself has arrived.
    expect(planChunkBytes([], chunks, { moovEnd: 900, totalBytes: 3000 }, 0)).toEqual([900, 900, 3000]);
  });
});

describe('reading a partial upload', () => {
  it('bounds the input with the subfile protocol', () => {
    expect(partialInput('/media/uploads/abc', 1234)).toBe('subfile,,start,0,end,1234,,:/media/uploads/abc');
    expect(() => partialInput('/media/a,b', 10)).toThrow(/","/);
    // An absolute path may hold a ":" (a worker's cache directory is named after host:pid): no protocol name before a "/".
    expect(partialInput('/data/work/sources-vm:42/growing-abc', 10)).toBe('subfile,,start,0,end,10,,:/data/work/sources-vm:42/growing-abc');
    expect(() => partialInput('sources-vm:42/growing-abc', 10)).toThrow(/":"/);
    expect(() => partialInput('/media/a', 0)).toThrow(/positive/);
    expect(partialProbeArgs('/media/x', 99)).toEqual([
      '-v',
      'error',
      '-protocol_whitelist',
      'file,subfile',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      'subfile,,start,0,end,99,,:/media/x',
    ]);
  });

  it('gives a chunk of an upload in progress only the bytes that arrived', () => {
    const info: SourceInfo = {
      durationSeconds: 30,
      width: 640,
      height: 360,
      rotation: 0,
      fps: 30,
      hasAudio: false,
      videoCodec: 'h264',
      audioCodec: null,
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      bitRate: 1_000_000,
      sizeBytes: 3_750_000,
      videoStreamIndex: 0,
      audioStreamIndex: null,
    };
    const [chunk] = planChunks(30, { segmentSeconds: 4, chunkSeconds: 12 });
    const request = {
      input: '/in/source',
      outputDir: '/out',
      info,
      rungs: planLadder(info, { maxHeight: 360 }),
      chunk: chunk!,
      segmentSeconds: 4,
      preset: 'veryfast' as const,
    };
    const whole = buildChunkArgs(request);
    const partial = buildChunkArgs({ ...request, inputBytes: 5000 });
    expect(whole.slice(0, 7)).toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-protocol_whitelist', 'file']);
    expect(partial.slice(0, 7)).toEqual(['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-protocol_whitelist', 'file,subfile']);
    expect(partial[partial.indexOf('-i') + 1]).toBe('subfile,,start,0,end,5000,,:/in/source');
    // Nothing else changes.
    expect(partial.slice(7).filter((arg) => !arg.startsWith('subfile'))).toEqual(whole.slice(7).filter((arg) => arg !== '/in/source'));
  });

  it("completes a partial probe's size and bit rate the way ffprobe computes them for the whole file", () => {
    const partial = { durationSeconds: 12, bitRate: 133_333, sizeBytes: 200_000 } as SourceInfo;
    expect(completeProbedInfo(partial, 1_282_441)).toMatchObject({ sizeBytes: 1_282_441, bitRate: 854_960 });
  });
});
