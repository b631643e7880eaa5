import type { PlannedChunk } from './chunks.ts';
import { EARLY_READ_AHEAD_SECONDS } from './early-start.ts';

/**
 * Matroska/WebM read while it arrives. There is no up-front index of byte offsets per time (the Cues usually
 * come at the end), but the media is stored in clusters that each carry their start time, in file order.
 * So the head (EBML header, Segment Info, Tracks) tells what to plan, and a scan of the cluster headers that
 * have arrived tells how far the media goes: a chunk may start once a cluster that begins at or after its end
 * (plus read-ahead) is entirely in, because every block before it in the file is then in too.
 */

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  duration: 0x4489,
  cluster: 0x1f43b675,
  timestamp: 0xe7,
} as const;

/** The children a Cluster may hold; any other element ends a cluster of unknown size. */
const CLUSTER_CHILDREN = new Set([
  ID.timestamp,
  0x5854, // SilentTracks
  0xa7, // Position
  0xab, // PrevSize
  0xa3, // SimpleBlock
  0xa0, // BlockGroup
  0xaf, // EncryptedBlock
  0xec, // Void
  0xbf, // CRC-32
]);

const DEFAULT_TIMESTAMP_SCALE = 1_000_000;

export class MalformedMatroskaError extends Error {}

interface ElementHeader {
  id: number;
  /** Bytes of the ID and size fields. */
  headerBytes: number;
  /** Bytes of the payload, or null for "unknown size" (live streams, MediaRecorder). */
  size: number | null;
}

/** Width of a variable-length integer from its first byte (1–8), or 0 when the byte cannot start one. */
function vintWidth(first: number): number {
  for (let width = 1; width <= 8; width++) if (first & (0x80 >> (width - 1))) return width;
  return 0;
}

/** The element header at `offset`, or null when it has not all arrived. */
function readHeader(bytes: Uint8Array, offset: number): ElementHeader | null {
  if (offset >= bytes.length) return null;
  const idWidth = vintWidth(bytes[offset]!);
  if (idWidth === 0 || idWidth > 4) throw new MalformedMatroskaError(`malformed Matroska: bad element ID at byte ${offset}`);
  if (offset + idWidth >= bytes.length) return null;
  let id = 0;
  for (let index = 0; index < idWidth; index++) id = id * 256 + bytes[offset + index]!;
  const sizeAt = offset + idWidth;
  const sizeWidth = vintWidth(bytes[sizeAt]!);
  if (sizeWidth === 0) throw new MalformedMatroskaError(`malformed Matroska: bad element size at byte ${sizeAt}`);
  if (sizeAt + sizeWidth > bytes.length) return null;
  let size = bytes[sizeAt]! & (0xff >> sizeWidth);
  let allOnes = size === 0xff >> sizeWidth;
  for (let index = 1; index < sizeWidth; index++) {
    const byte = bytes[sizeAt + index]!;
    size = size * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { id, headerBytes: idWidth + sizeWidth, size: allOnes ? null : size };
}

function readUnsigned(bytes: Uint8Array, start: number, length: number): number {
  let value = 0;
  for (let index = 0; index < length; index++) value = value * 256 + bytes[start + index]!;
  return value;
}

function readFloat(bytes: Uint8Array, start: number, length: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  if (length === 4) return view.getFloat32(0);
  if (length === 8) return view.getFloat64(0);
  if (length === 0) return 0;
  throw new MalformedMatroskaError(`malformed Matroska: a float of ${length} bytes`);
}

export type MatroskaHead =
  /** The first cluster starts at `firstClusterOffset`; `durationSeconds` is null when the file does not say. */
  | { kind: 'matroska'; timestampScale: number; durationSeconds: number | null; firstClusterOffset: number }
  /** The head has not all arrived (the first cluster is not reached yet). */
  | { kind: 'need-more-bytes' };

/**
 * Reads the start of a Matroska/WebM file up to its first cluster: the timestamp scale and duration from the
 * Segment Info. Throws MalformedMatroskaError on anything it cannot walk (an element of unknown size before
 * the first cluster other than the Segment itself, a Segment without Info).
 */
export function readMatroskaHead(head: Uint8Array): MatroskaHead {
  const ebml = readHeader(head, 0);
  if (!ebml) return { kind: 'need-more-bytes' };
  if (ebml.id !== ID.ebml || ebml.size === null) throw new MalformedMatroskaError('not a Matroska file');
  const segmentAt = ebml.headerBytes + ebml.size;
  const segment = readHeader(head, segmentAt);
  if (!segment) return { kind: 'need-more-bytes' };
  if (segment.id !== ID.segment) throw new MalformedMatroskaError('malformed Matroska: no Segment after the EBML header');
  let offset = segmentAt + segment.headerBytes;
  let info: { timestampScale: number; durationSeconds: number | null } | null = null;
  for (;;) {
    const element = readHeader(head, offset);
    if (!element) return { kind: 'need-more-bytes' };
    if (element.id === ID.cluster) {
      if (!info) throw new MalformedMatroskaError('malformed Matroska: a cluster before the Segment Info');
      return { kind: 'matroska', ...info, firstClusterOffset: offset };
    }
    if (element.size === null) throw new MalformedMatroskaError('malformed Matroska: an element of unknown size before the first cluster');
    const payload = offset + element.headerBytes;
    const end = payload + element.size;
    if (element.id === ID.info) {
      if (end > head.length) return { kind: 'need-more-bytes' };
      let timestampScale = DEFAULT_TIMESTAMP_SCALE;
      let duration: number | null = null;
      for (let at = payload; at < end; ) {
        const field = readHeader(head, at);
        if (!field || field.size === null) throw new MalformedMatroskaError('malformed Matroska: Segment Info');
        const start = at + field.headerBytes;
        if (field.id === ID.timestampScale) timestampScale = readUnsigned(head, start, field.size);
        if (field.id === ID.duration) duration = readFloat(head, start, field.size);
        at = start + field.size;
      }
      if (timestampScale <= 0) throw new MalformedMatroskaError('malformed Matroska: a timestamp scale of 0');
      info = { timestampScale, durationSeconds: duration !== null && duration > 0 ? (duration * timestampScale) / 1e9 : null };
    }
    offset = end;
  }
}

/** A cluster all of whose bytes have arrived: where it is in the file and when it starts. */
export interface ArrivedCluster {
  offset: number;
  end: number;
  timestampSeconds: number;
}

export interface ClusterScan {
  /** The clusters entirely within the bytes scanned, in file order. */
  clusters: ArrivedCluster[];
  /** File offset to scan from next time: the start of the first cluster not entirely in. */
  resumeAt: number;
}

/**
 * Scans the cluster headers in `bytes`, which are the file's bytes from offset `start` (a cluster boundary) to
 * what has arrived. A cluster of known size is complete when its last byte is in; one of unknown size
 * (`-live 1`, MediaRecorder) when the element after it has begun, since only that says it ended. Only the
 * headers are read for known sizes; for unknown sizes the headers of its blocks are walked.
 */
export function scanClusters(bytes: Uint8Array, start: number, timestampScale: number): ClusterScan {
  const clusters: ArrivedCluster[] = [];
  const seconds = (ticks: number) => (ticks * timestampScale) / 1e9;
  let offset = 0;
  const done = (): ClusterScan => ({ clusters, resumeAt: start + offset });
  for (;;) {
    const element = readHeader(bytes, offset);
    if (!element) return done();
    const payload = offset + element.headerBytes;
    if (element.id !== ID.cluster) {
      // Cues, Tags, Void and the like between or after the clusters: skipped by their size.
      if (element.size === null) throw new MalformedMatroskaError('malformed Matroska: an element of unknown size among the clusters');
      offset = payload + element.size;
      if (offset > bytes.length) return done();
      continue;
    }
    let timestamp: number | null = null;
    let end: number | null = null;
    const limit = element.size === null ? bytes.length : Math.min(bytes.length, payload + element.size);
    for (let at = payload; ; ) {
      if (element.size !== null && at >= payload + element.size) {
        end = payload + element.size;
        break;
      }
      if (element.size !== null && timestamp !== null) {
        // A known size says where the cluster ends; its blocks need not be walked.
        if (payload + element.size <= bytes.length) end = payload + element.size;
        break;
      }
      const child = readHeader(bytes, at);
      if (!child) break;
      if (!CLUSTER_CHILDREN.has(child.id)) {
        if (element.size !== null) throw new MalformedMatroskaError(`malformed Matroska: element 0x${child.id.toString(16)} inside a cluster`);
        end = at;
        break;
      }
      if (child.size === null) throw new MalformedMatroskaError('malformed Matroska: a block of unknown size');
      const childEnd = at + child.headerBytes + child.size;
      if (childEnd > limit) break;
      if (child.id === ID.timestamp) timestamp = readUnsigned(bytes, at + child.headerBytes, child.size);
      at = childEnd;
    }
    if (end === null) return done();
    if (timestamp === null) throw new MalformedMatroskaError('malformed Matroska: a cluster without a timestamp');
    clusters.push({ offset: start + offset, end: start + end, timestampSeconds: seconds(timestamp) });
    offset = end;
  }
}

/**
 * The bytes each chunk needs (by chunk index), refined with newly arrived clusters: the end of the first
 * cluster that starts at or after the chunk's end plus the read-ahead. A chunk not settled yet keeps needing
 * the whole file (`totalBytes`), as does the last chunk, which reads to the end.
 */
export function matroskaChunkBytes(
  previous: readonly number[],
  clusters: readonly ArrivedCluster[],
  chunks: readonly PlannedChunk[],
  totalBytes: number,
  readAheadSeconds = EARLY_READ_AHEAD_SECONDS,
): number[] {
  return chunks.map((chunk, index) => {
    const known = previous[index] ?? totalBytes;
    if (chunk.isLast) return totalBytes;
    const after = clusters.find((cluster) => cluster.timestampSeconds >= chunk.endSeconds + readAheadSeconds);
    return after ? Math.min(known, after.end, totalBytes) : known;
  });
}

/**
 * Where the next cluster scan of an upload starts: after the cluster that settled the last settled chunk
 * (cluster timestamps only grow, so nothing before it can settle another), else at the first cluster.
 */
export function matroskaScanStart(chunkBytes: readonly number[], totalBytes: number, firstClusterOffset: number): number {
  const settled = chunkBytes.filter((bytes) => bytes < totalBytes);
  return settled.length ? Math.max(firstClusterOffset, ...settled) : firstClusterOffset;
}
