import { chunkDecodeTimeOffset, type PlannedChunk } from './chunks.ts';
import { codecString, fragmentTiming, initTimescale, retimeFragment } from './fmp4.ts';
import { publishedNames, type SegmentRecord } from './manifests.ts';

export interface PlacedSegment {
  /** Published file name (`seg-<stream>-<number>.m4s`). */
  name: string;
  bytes: Uint8Array;
  record: SegmentRecord;
}

export interface PlacedStream {
  timescale: number;
  codecs: string;
  segments: PlacedSegment[];
}

/**
 * Moves one stream's output of one chunk onto the video's timeline: segment N of the chunk becomes segment
 * `firstSegmentNumber + N - 1` of the video, its decode times shifted to the chunk's first frame. A chunk
 * that is not the last must hold exactly its planned segments, or the numbering would collide.
 */
export function placeChunkSegments(input: {
  stream: number;
  chunk: PlannedChunk;
  frameRate: number;
  init: Uint8Array;
  localSegments: readonly Uint8Array[];
}): PlacedStream {
  const { stream, chunk, frameRate, init, localSegments } = input;
  if (!chunk.isLast && localSegments.length !== chunk.segmentCount) {
    throw new Error(`chunk ${chunk.index} of stream ${stream} has ${localSegments.length} segments, planned ${chunk.segmentCount}`);
  }
  const timescale = initTimescale(init);
  return {
    timescale,
    codecs: codecString(init),
    segments: placeSegments(stream, localSegments, chunkDecodeTimeOffset(chunk, frameRate, timescale), chunk.firstSegmentNumber),
  };
}

/** The audio job's output is already on the video's timeline; it is only measured and named (from `firstNumber`: a batch streamed out mid-encode). */
export function placeAudioSegments(input: { stream: number; init: Uint8Array; localSegments: readonly Uint8Array[]; firstNumber?: number }): PlacedStream {
  return {
    timescale: initTimescale(input.init),
    codecs: codecString(input.init),
    segments: placeSegments(input.stream, input.localSegments, 0, input.firstNumber ?? 1),
  };
}

function placeSegments(stream: number, localSegments: readonly Uint8Array[], offset: number, firstNumber: number): PlacedSegment[] {
  return localSegments.map((local, index) => {
    const number = firstNumber + index;
    const bytes =
      offset === 0 && number === fragmentTiming(local).sequenceNumber ? local : retimeFragment(local, { decodeTimeOffset: offset, sequenceNumber: number });
    const timing = fragmentTiming(bytes);
    return {
      name: publishedNames.segment(stream, number),
      bytes,
      record: { number, startTicks: timing.baseMediaDecodeTime, durationTicks: timing.durationTicks, bytes: bytes.length },
    };
  });
}
