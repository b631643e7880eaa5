/**
 * Reading and re-timing fragmented MP4 (CMAF) files without ffmpeg.
 *
 * Each chunk of a video is encoded by its own ffmpeg, whose mp4 muxer always starts a file's timeline at
 * zero. The chunked pipeline therefore moves each fragment to its place on the video's timeline itself:
 * `retimeFragment` adds the chunk's start to the decode time (`tfdt`) and the segment index (`sidx`) and
 * renumbers the fragment (`mfhd`), so the fragments of every chunk continue one another exactly.
 */

interface Box {
  type: string;
  /** Offset of the box header. */
  start: number;
  /** Offset of the box payload (after size, type and any 64-bit size). */
  payload: number;
  end: number;
}

/** Boxes whose payload is a list of boxes (the ones this module descends into). */
const CONTAINER_BOXES = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'moof', 'traf', 'mvex']);

function childBoxes(bytes: Uint8Array, start: number, end: number): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    let payload = offset + 8;
    if (size === 1) {
      size = Number(view.getBigUint64(offset + 8));
      payload = offset + 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < payload - offset || offset + size > end) throw new Error(`malformed MP4: box ${type} at ${offset} overruns its parent`);
    boxes.push({ type, start: offset, payload, end: offset + size });
    offset += size;
  }
  return boxes;
}

/** Every box at `path` (e.g. ['moof', 'traf', 'tfdt']), searched from the top level. */
function findBoxes(bytes: Uint8Array, path: readonly string[]): Box[] {
  let level: Box[] = childBoxes(bytes, 0, bytes.length);
  for (const [depth, type] of path.entries()) {
    const matches = level.filter((box) => box.type === type);
    if (depth === path.length - 1) return matches;
    level = matches.flatMap((box) => (CONTAINER_BOXES.has(box.type) ? childBoxes(bytes, box.payload, box.end) : []));
  }
  return [];
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The media timescale (ticks per second) of the first track of an init segment. */
export function initTimescale(init: Uint8Array): number {
  const mdhd = findBoxes(init, ['moov', 'trak', 'mdia', 'mdhd'])[0];
  if (!mdhd) throw new Error('init segment has no mdhd box');
  const version = init[mdhd.payload]!;
  return viewOf(init).getUint32(mdhd.payload + (version === 1 ? 20 : 12));
}

/**
 * The sample description (`stsd`: codec, dimensions and the decoder configuration such as `avcC`) of
 * the first track. Fragments of one rendition can share one init segment only if this is byte-identical.
 */
export function sampleDescription(init: Uint8Array): Uint8Array {
  const stsd = findBoxes(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd'])[0];
  if (!stsd) throw new Error('init segment has no stsd box');
  return init.slice(stsd.start, stsd.end);
}

/** RFC 6381 codec string of an H.264 init segment ("avc1.64001e") or "mp4a.40.2" for AAC. */
export function codecString(init: Uint8Array): string {
  const description = sampleDescription(init);
  // stsd: 8 header + 8 (version/flags, entry count), then the sample entry box.
  const entryType = String.fromCharCode(...description.subarray(20, 24));
  if (entryType === 'mp4a') return 'mp4a.40.2';
  if (entryType !== 'avc1') throw new Error(`unsupported sample entry ${entryType}`);
  const text = Buffer.from(description).indexOf('avcC');
  if (text < 0) throw new Error('avc1 sample entry without avcC');
  // avcC payload: configurationVersion, profile, profile compatibility, level.
  const hex = (value: number) => value.toString(16).padStart(2, '0');
  return `avc1.${hex(description[text + 5]!)}${hex(description[text + 6]!)}${hex(description[text + 7]!)}`;
}

export interface FragmentTiming {
  sequenceNumber: number;
  baseMediaDecodeTime: number;
  /** Sum of the sample durations, in the track's timescale. */
  durationTicks: number;
  sampleCount: number;
  /** Whether the first sample is a sync sample (an IDR frame for video). */
  startsWithSyncSample: boolean;
}

const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_SAMPLE_DURATION = 0x100;
const TRUN_SAMPLE_SIZE = 0x200;
const TRUN_SAMPLE_FLAGS = 0x400;
const TRUN_SAMPLE_CTS = 0x800;
const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION = 0x2;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_FLAGS = 0x20;
/** sample_is_non_sync_sample, in the sample flags word. */
const NON_SYNC = 0x10000;

/** Timing of a media segment (one or more `moof`+`mdat` pairs of a single track). */
export function fragmentTiming(segment: Uint8Array): FragmentTiming {
  const view = viewOf(segment);
  const mfhd = findBoxes(segment, ['moof', 'mfhd'])[0];
  const trafs = findBoxes(segment, ['moof', 'traf']);
  if (!mfhd || trafs.length === 0) throw new Error('not a media segment (no moof)');
  let baseMediaDecodeTime: number | null = null;
  let durationTicks = 0;
  let sampleCount = 0;
  let startsWithSyncSample: boolean | null = null;
  for (const traf of trafs) {
    const children = childBoxes(segment, traf.payload, traf.end);
    const tfhd = children.find((box) => box.type === 'tfhd');
    const tfdt = children.find((box) => box.type === 'tfdt');
    if (!tfhd || !tfdt) throw new Error('traf without tfhd or tfdt');
    if (baseMediaDecodeTime === null) {
      baseMediaDecodeTime = segment[tfdt.payload] === 1 ? Number(view.getBigUint64(tfdt.payload + 4)) : view.getUint32(tfdt.payload + 4);
    }
    const tfhdFlags = view.getUint32(tfhd.payload) & 0xffffff;
    let cursor = tfhd.payload + 8;
    if (tfhdFlags & TFHD_BASE_DATA_OFFSET) cursor += 8;
    if (tfhdFlags & TFHD_SAMPLE_DESCRIPTION) cursor += 4;
    let defaultDuration = 0;
    if (tfhdFlags & TFHD_DEFAULT_DURATION) {
      defaultDuration = view.getUint32(cursor);
      cursor += 4;
    }
    if (tfhdFlags & TFHD_DEFAULT_SIZE) cursor += 4;
    const defaultFlags = tfhdFlags & TFHD_DEFAULT_FLAGS ? view.getUint32(cursor) : 0;
    for (const trun of children.filter((box) => box.type === 'trun')) {
      const flags = view.getUint32(trun.payload) & 0xffffff;
      const count = view.getUint32(trun.payload + 4);
      let at = trun.payload + 8;
      if (flags & TRUN_DATA_OFFSET) at += 4;
      let firstFlags: number | null = null;
      if (flags & TRUN_FIRST_SAMPLE_FLAGS) {
        firstFlags = view.getUint32(at);
        at += 4;
      }
      for (let index = 0; index < count; index++) {
        let sampleFlags = index === 0 && firstFlags !== null ? firstFlags : defaultFlags;
        durationTicks += flags & TRUN_SAMPLE_DURATION ? view.getUint32(at) : defaultDuration;
        if (flags & TRUN_SAMPLE_DURATION) at += 4;
        if (flags & TRUN_SAMPLE_SIZE) at += 4;
        if (flags & TRUN_SAMPLE_FLAGS) {
          sampleFlags = view.getUint32(at);
          at += 4;
        }
        if (flags & TRUN_SAMPLE_CTS) at += 4;
        if (startsWithSyncSample === null) startsWithSyncSample = (sampleFlags & NON_SYNC) === 0;
      }
      sampleCount += count;
    }
  }
  return {
    sequenceNumber: view.getUint32(mfhd.payload + 4),
    baseMediaDecodeTime: baseMediaDecodeTime ?? 0,
    durationTicks,
    sampleCount,
    startsWithSyncSample: startsWithSyncSample ?? false,
  };
}

export interface Retiming {
  /** Ticks (track timescale) added to every decode and presentation time. */
  decodeTimeOffset: number;
  /** `mfhd` sequence number of the (first) fragment; later fragments in the file count on from it. */
  sequenceNumber: number;
}

/** A copy of a media segment moved by `decodeTimeOffset` ticks and renumbered (see the module comment). */
export function retimeFragment(segment: Uint8Array, retiming: Retiming): Uint8Array {
  // A copy: Buffer#slice (unlike Uint8Array#slice) would share memory with the caller's segment.
  const bytes = new Uint8Array(segment);
  const view = viewOf(bytes);
  const add = (at: number, wide: boolean) => {
    if (wide) {
      view.setBigUint64(at, view.getBigUint64(at) + BigInt(retiming.decodeTimeOffset));
      return;
    }
    const moved = view.getUint32(at) + retiming.decodeTimeOffset;
    // Version-0 fields hold 32 bits: about 13 hours at a 90 kHz timescale, days at ffmpeg's usual ones.
    if (moved > 0xffffffff) throw new Error('fragment time does not fit a 32-bit field');
    view.setUint32(at, moved);
  };
  for (const tfdt of findBoxes(bytes, ['moof', 'traf', 'tfdt'])) add(tfdt.payload + 4, bytes[tfdt.payload] === 1);
  // sidx: version/flags, reference_ID, timescale, then earliest_presentation_time (32 or 64 bits).
  for (const sidx of findBoxes(bytes, ['sidx'])) add(sidx.payload + 12, bytes[sidx.payload] === 1);
  for (const [index, mfhd] of findBoxes(bytes, ['moof', 'mfhd']).entries()) view.setUint32(mfhd.payload + 4, retiming.sequenceNumber + index);
  return bytes;
}
