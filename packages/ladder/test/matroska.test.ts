import { describe, expect, it } from 'vitest';
import { MalformedMatroskaError, matroskaChunkBytes, matroskaScanStart, planChunks, readMatroskaHead, scanClusters } from '../src/index.ts';

/** EBML built by hand: an element is its ID bytes, a size (8-byte form, or "unknown") and its payload. */
const UNKNOWN = -1;
function element(id: number[], payload: number[], size = payload.length): number[] {
  const sizeBytes =
    size === UNKNOWN ? [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : [0x01, 0, 0, 0, 0, (size >>> 16) & 0xff, (size >>> 8) & 0xff, size & 0xff];
  return [...id, ...sizeBytes, ...payload];
}
const uint = (value: number) => [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
const float64 = (value: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return [...new Uint8Array(view.buffer)];
};
const EBML = [0x1a, 0x45, 0xdf, 0xa3];
const SEGMENT = [0x18, 0x53, 0x80, 0x67];
const INFO = [0x15, 0x49, 0xa9, 0x66];
const TRACKS = [0x16, 0x54, 0xae, 0x6b];
const CLUSTER = [0x1f, 0x43, 0xb6, 0x75];
const CUES = [0x1c, 0x53, 0xbb, 0x6b];
const TIMESTAMP_SCALE = [0x2a, 0xd7, 0xb1];
const DURATION = [0x44, 0x89];

const info = (duration: number | null, scale = 1_000_000) =>
  element(INFO, [...element(TIMESTAMP_SCALE, uint(scale)), ...(duration === null ? [] : element(DURATION, float64(duration)))]);
const block = (bytes: number) => element([0xa3], new Array(bytes).fill(7));
const cluster = (timestamp: number, blocks: number[], size?: number) => {
  const payload = [...element([0xe7], uint(timestamp)), ...blocks.flatMap(block)];
  return element(CLUSTER, payload, size ?? payload.length);
};

function file(parts: number[][], segmentSize = UNKNOWN): Uint8Array {
  const body = parts.flat();
  return new Uint8Array([...element(EBML, [0x42, 0x86, 0x81, 0x01]), ...element(SEGMENT, body, segmentSize === UNKNOWN ? UNKNOWN : body.length)]);
}

describe('readMatroskaHead', () => {
  it('finds the timestamp scale, the duration and the first cluster', () => {
    const head = [info(30_000), element(TRACKS, [0xae, 0x80])];
    const bytes = file([...head, cluster(0, [10])]);
    const firstCluster = bytes.length - cluster(0, [10]).length;
    expect(readMatroskaHead(bytes)).toEqual({ kind: 'matroska', timestampScale: 1_000_000, durationSeconds: 30, firstClusterOffset: firstCluster });
  });

  it('scales the duration by a timestamp scale other than a millisecond', () => {
    const bytes = file([info(3_000, 10_000_000), cluster(0, [1])]);
    expect(readMatroskaHead(bytes)).toMatchObject({ timestampScale: 10_000_000, durationSeconds: 30 });
  });

  it('reports a live stream (no duration) as such', () => {
    expect(readMatroskaHead(file([info(null), cluster(0, [1], UNKNOWN)]))).toMatchObject({ kind: 'matroska', durationSeconds: null });
  });

  it('asks for more bytes until the first cluster header is in', () => {
    const bytes = file([info(30_000), element(TRACKS, new Array(100).fill(0)), cluster(0, [10])]);
    for (const cut of [3, 20, 60, 150]) expect(readMatroskaHead(bytes.subarray(0, cut))).toEqual({ kind: 'need-more-bytes' });
  });

  it('refuses what it cannot walk', () => {
    expect(() => readMatroskaHead(new Uint8Array([0x1a, 0x45, 0xdf, 0xa4, 0x80]))).toThrow(MalformedMatroskaError);
    expect(() => readMatroskaHead(file([cluster(0, [1])]))).toThrow(/before the Segment Info/);
    expect(() => readMatroskaHead(file([element(TRACKS, [1], UNKNOWN), cluster(0, [1])]))).toThrow(/unknown size/);
  });
});

describe('scanClusters', () => {
  const clusters = [cluster(0, [100, 100]), cluster(4000, [100]), cluster(8000, [50])];
  const bytes = new Uint8Array(clusters.flat());
  const ends = clusters.map((_, index) => clusters.slice(0, index + 1).flat().length);

  it('lists the clusters of known size that are entirely in, with their times', () => {
    expect(scanClusters(bytes, 1000, 1_000_000)).toEqual({
      clusters: [
        { offset: 1000, end: 1000 + ends[0]!, timestampSeconds: 0 },
        { offset: 1000 + ends[0]!, end: 1000 + ends[1]!, timestampSeconds: 4 },
        { offset: 1000 + ends[1]!, end: 1000 + ends[2]!, timestampSeconds: 8 },
      ],
      resumeAt: 1000 + ends[2]!,
    });
  });

  it('stops at a cluster missing its last byte, and resumes there', () => {
    const scan = scanClusters(bytes.subarray(0, ends[1]! - 1), 0, 1_000_000);
    expect(scan.clusters.map((found) => found.timestampSeconds)).toEqual([0]);
    expect(scan.resumeAt).toBe(ends[0]);
  });

  it('skips Cues and other elements between clusters', () => {
    const withCues = new Uint8Array([...clusters[0]!, ...element(CUES, new Array(40).fill(1)), ...clusters[1]!]);
    expect(scanClusters(withCues, 0, 1_000_000).clusters.map((found) => found.timestampSeconds)).toEqual([0, 4]);
  });

  it('ends a cluster of unknown size only once the next element has begun', () => {
    const live = [cluster(0, [100, 100], UNKNOWN), cluster(4000, [100], UNKNOWN), cluster(8000, [50], UNKNOWN)];
    const stream = new Uint8Array(live.flat());
    const liveEnds = live.map((_, index) => live.slice(0, index + 1).flat().length);
    const all = scanClusters(stream, 0, 1_000_000);
    expect(all.clusters.map((found) => [found.offset, found.end, found.timestampSeconds])).toEqual([
      [0, liveEnds[0], 0],
      [liveEnds[0], liveEnds[1], 4],
    ]);
    // The last cluster may still grow: it is scanned again next time.
    expect(all.resumeAt).toBe(liveEnds[1]);
    // Cut inside a block of the second cluster: only the first is complete.
    expect(scanClusters(stream.subarray(0, liveEnds[0]! + 30), 0, 1_000_000)).toEqual({
      clusters: [{ offset: 0, end: liveEnds[0], timestampSeconds: 0 }],
      resumeAt: liveEnds[0],
    });
  });

  it('refuses a cluster without a timestamp, and one holding what no cluster holds', () => {
    expect(() => scanClusters(new Uint8Array(element(CLUSTER, block(10))), 0, 1_000_000)).toThrow(/without a timestamp/);
    const stray = [...block(10), ...element(TRACKS, [1]), ...element([0xe7], uint(0))];
    expect(() => scanClusters(new Uint8Array(element(CLUSTER, stray)), 0, 1_000_000)).toThrow(MalformedMatroskaError);
  });
});

describe('matroskaChunkBytes', () => {
  const chunks = planChunks(30, { segmentSeconds: 2, chunkSeconds: 8 });
  const total = 10_000;
  const arrived = (times: number[]) => times.map((time, index) => ({ offset: index * 100, end: (index + 1) * 100, timestampSeconds: time }));

  it('settles a chunk with the first whole cluster that starts at its end plus the read-ahead', () => {
    // Chunk 0 ends at 8 s, so it needs a cluster from 11 s on; chunk 1 ends at 16 s (19 s).
    const none = chunks.map(() => total);
    expect(matroskaChunkBytes(none, arrived([0, 5, 10, 11, 15]), chunks, total)).toEqual([400, total, total, total]);
    expect(matroskaChunkBytes(none, arrived([0, 5, 10, 11, 15, 20]), chunks, total)).toEqual([400, 600, total, total]);
  });

  it('keeps what earlier scans settled, and the last chunk always waits for the whole file', () => {
    const earlier = [400, total, total, total];
    const later = [{ offset: 900, end: 1200, timestampSeconds: 29.5 }];
    expect(matroskaChunkBytes(earlier, later, chunks, total)).toEqual([400, 1200, 1200, total]);
  });

  it('the next scan starts after the cluster that settled the last settled chunk', () => {
    expect(matroskaScanStart([total, total, total, total], total, 640)).toBe(640);
    expect(matroskaScanStart([400, 600, total, total], total, 64)).toBe(600);
  });
});
