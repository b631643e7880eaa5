import type { PlannedChunk } from './chunks.ts';
import { partialInput } from './partial-input.ts';
import type { SourceInfo } from './probe.ts';

/**
 * Starting to transcode before an upload ends: which containers allow it, and which bytes each chunk needs.
 * Pure functions over the bytes that have arrived, so every decision is unit-tested without ffmpeg.
 *
 * A fast-start MP4 (`moov` before `mdat`) carries its whole index up front: the sample tables give the byte
 * range of every sample, so the bytes a chunk needs are known before they arrive. An MP4 whose `moov` comes
 * after the media cannot even be probed until the end. Matroska/WebM is read by its clusters (`matroska.ts`).
 */

export type SourceLayout =
  /** `moov` comes first and ends at `moovEnd`: plannable once those bytes are in. */
  | { kind: 'fast-start'; moovStart: number; moovEnd: number }
  /** The media comes before the index: nothing can be planned until the upload is complete. */
  | { kind: 'moov-at-end' }
  /** MKV or WebM: planned from its head, released by its clusters (`matroska.ts`). */
  | { kind: 'matroska' }
  /** Not an MP4 we can read the box order of (or an MP4 made of fragments, whose index is spread out). */
  | { kind: 'other' }
  /** The head is too short to tell yet. */
  | { kind: 'need-more-bytes' };

const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

const boxType = (bytes: Uint8Array, offset: number) => String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);

/**
 * Walks the top-level boxes in `head` (the first bytes of a file of `totalBytes`) until `moov` or `mdat`
 * decides the layout. Fragmented MP4 (a `moof` before any `mdat`) has no sample tables to plan by: `other`.
 */
export function detectSourceLayout(head: Uint8Array, totalBytes: number): SourceLayout {
  if (head.length < 8) return { kind: 'need-more-bytes' };
  if (EBML_MAGIC.every((byte, index) => head[index] === byte)) return { kind: 'matroska' };
  if (boxType(head, 0) !== 'ftyp') return { kind: 'other' };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let offset = 0;
  while (offset < totalBytes) {
    if (offset + 8 > head.length) return { kind: 'need-more-bytes' };
    let size = view.getUint32(offset);
    const type = boxType(head, offset);
    if (size === 1) {
      if (offset + 16 > head.length) return { kind: 'need-more-bytes' };
      size = Number(view.getBigUint64(offset + 8));
    } else if (size === 0) {
      size = totalBytes - offset;
    }
    if (size < 8 || offset + size > totalBytes) return { kind: 'other' };
    if (type === 'moov') return { kind: 'fast-start', moovStart: offset, moovEnd: offset + size };
    if (type === 'mdat') return { kind: 'moov-at-end' };
    if (type === 'moof') return { kind: 'other' };
    offset += size;
  }
  return { kind: 'other' };
}

/** A readable sentence for the studio when processing has to wait for the whole file. */
export function lateStartReason(layout: SourceLayout): string | null {
  switch (layout.kind) {
    case 'fast-start':
    case 'matroska':
    case 'need-more-bytes':
      return null;
    case 'moov-at-end':
      return 'Processing starts when the upload completes: this MP4 keeps its index at the end (export it with "fast start" to start sooner)';
    case 'other':
      return 'Processing starts when the upload completes: only fast-start MP4, MKV and WebM files are processed during the upload';
  }
}

/** One track's samples in decode order: decode time (ticks) and byte range in the file. */
export interface TrackSamples {
  timescale: number;
  decodeTimes: number[];
  offsets: number[];
  sizes: number[];
}

interface Box {
  type: string;
  payload: number;
  end: number;
}

function children(bytes: Uint8Array, start: number, end: number): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    let payload = offset + 8;
    if (size === 1) {
      size = Number(view.getBigUint64(offset + 8));
      payload = offset + 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < payload - offset || offset + size > end) throw new Error(`malformed MP4 index: box ${boxType(bytes, offset)} overruns its parent`);
    boxes.push({ type: boxType(bytes, offset), payload, end: offset + size });
    offset += size;
  }
  return boxes;
}

const child = (bytes: Uint8Array, parent: Box, type: string) => children(bytes, parent.payload, parent.end).find((box) => box.type === type);

/**
 * The sample tables of every track of a `moov` box (the box itself, as bytes): `stts` for decode times,
 * `stsz` for sizes, `stsc` + `stco`/`co64` for where each sample sits in the file.
 */
export function parseMoovSamples(moov: Uint8Array): TrackSamples[] {
  const view = new DataView(moov.buffer, moov.byteOffset, moov.byteLength);
  const [root] = children(moov, 0, moov.length);
  if (!root || root.type !== 'moov') throw new Error('not a moov box');
  const tracks: TrackSamples[] = [];
  for (const trak of children(moov, root.payload, root.end).filter((box) => box.type === 'trak')) {
    const mdia = child(moov, trak, 'mdia');
    const mdhd = mdia && child(moov, mdia, 'mdhd');
    const minf = mdia && child(moov, mdia, 'minf');
    const stbl = minf && child(moov, minf, 'stbl');
    if (!mdhd || !stbl) continue;
    const timescale = view.getUint32(mdhd.payload + (moov[mdhd.payload] === 1 ? 20 : 12));
    const stts = child(moov, stbl, 'stts');
    const stsz = child(moov, stbl, 'stsz');
    const stsc = child(moov, stbl, 'stsc');
    const stco = child(moov, stbl, 'stco') ?? child(moov, stbl, 'co64');
    if (!stts || !stsz || !stsc || !stco || timescale === 0) continue;

    const sizes: number[] = [];
    const fixedSize = view.getUint32(stsz.payload + 4);
    const sampleCount = view.getUint32(stsz.payload + 8);
    for (let index = 0; index < sampleCount; index++) sizes.push(fixedSize || view.getUint32(stsz.payload + 12 + 4 * index));

    const decodeTimes: number[] = [];
    let time = 0;
    for (let entry = 0, entries = view.getUint32(stts.payload + 4); entry < entries; entry++) {
      const count = view.getUint32(stts.payload + 8 + 8 * entry);
      const delta = view.getUint32(stts.payload + 12 + 8 * entry);
      for (let n = 0; n < count && decodeTimes.length < sampleCount; n++, time += delta) decodeTimes.push(time);
    }

    const wide = stco.type === 'co64';
    const chunkOffsets: number[] = [];
    for (let index = 0, count = view.getUint32(stco.payload + 4); index < count; index++)
      chunkOffsets.push(wide ? Number(view.getBigUint64(stco.payload + 8 + 8 * index)) : view.getUint32(stco.payload + 8 + 4 * index));

    // stsc: runs of chunks (first chunk, 1-based) holding the same number of samples.
    const runs: { firstChunk: number; samplesPerChunk: number }[] = [];
    for (let entry = 0, entries = view.getUint32(stsc.payload + 4); entry < entries; entry++)
      runs.push({ firstChunk: view.getUint32(stsc.payload + 8 + 12 * entry), samplesPerChunk: view.getUint32(stsc.payload + 12 + 12 * entry) });
    const offsets: number[] = [];
    for (const [run, { firstChunk, samplesPerChunk }] of runs.entries()) {
      const lastChunk = run + 1 < runs.length ? runs[run + 1]!.firstChunk - 1 : chunkOffsets.length;
      for (let chunk = firstChunk; chunk <= lastChunk && offsets.length < sampleCount; chunk++) {
        let offset = chunkOffsets[chunk - 1]!;
        for (let n = 0; n < samplesPerChunk && offsets.length < sampleCount; n++) {
          offsets.push(offset);
          offset += sizes[offsets.length - 1]!;
        }
      }
    }
    if (decodeTimes.length !== sampleCount || offsets.length !== sampleCount) throw new Error('malformed MP4 index: sample tables disagree');
    tracks.push({ timescale, decodeTimes, offsets, sizes });
  }
  return tracks;
}

/**
 * The smallest byte count after which every sample of every track decoded at or before `seconds` is in.
 * The demuxer reads the tracks interleaved, so a span needs the audio beside it as well as its video.
 */
export function bytesNeededUntil(tracks: readonly TrackSamples[], seconds: number): number {
  let needed = 0;
  for (const track of tracks) {
    const limit = seconds * track.timescale;
    for (let index = 0; index < track.decodeTimes.length && track.decodeTimes[index]! <= limit; index++)
      needed = Math.max(needed, track.offsets[index]! + track.sizes[index]!);
  }
  return needed;
}

/**
 * Time read past a chunk's end before its ffmpeg stops: the chunk command reads one second more than the
 * chunk (`-t`), and the demuxer runs a little ahead of the decoder (B-frames, edit lists, interleaving).
 */
export const EARLY_READ_AHEAD_SECONDS = 3;

/**
 * Bytes of the upload each chunk needs before it may start (by chunk index). The last chunk reads to the
 * end of the file, so it waits for the whole upload; no chunk starts before the index (`moov`) is in.
 */
export function planChunkBytes(
  tracks: readonly TrackSamples[],
  chunks: readonly PlannedChunk[],
  layout: { moovEnd: number; totalBytes: number },
  readAheadSeconds = EARLY_READ_AHEAD_SECONDS,
): number[] {
  return chunks.map((chunk) =>
    chunk.isLast ? layout.totalBytes : Math.min(layout.totalBytes, Math.max(layout.moovEnd, bytesNeededUntil(tracks, chunk.endSeconds + readAheadSeconds))),
  );
}

/** ffprobe of the first `bytes` of a file: a fast-start MP4 tells everything from its index. */
export function partialProbeArgs(file: string, bytes: number): string[] {
  return ['-v', 'error', '-protocol_whitelist', 'file,subfile', '-print_format', 'json', '-show_format', '-show_streams', partialInput(file, bytes)];
}

/**
 * A probe of a partial upload describes the bytes so far; size and overall bit rate are those of the whole
 * file, computed as ffprobe does (`size × 8 / duration`, truncated), so the plan equals the one made at the end.
 */
export function completeProbedInfo(info: SourceInfo, totalBytes: number): SourceInfo {
  const durationMicros = Math.round(info.durationSeconds * 1_000_000);
  return {
    ...info,
    sizeBytes: totalBytes,
    bitRate: durationMicros > 0 ? Math.trunc((totalBytes * 8 * 1_000_000) / durationMicros) : info.bitRate,
  };
}
