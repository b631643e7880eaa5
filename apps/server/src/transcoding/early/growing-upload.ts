import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { partialProbeArgs } from '@tube/ladder';
import type { StoredUploadPart } from '../../infra/db/schema.ts';
import type { ByteRange, Storage } from '../../infra/storage/storage.ts';
import { uploadKeyFor, uploadPartCopyKey } from '../../videos/video.service.ts';

/** What the upload's row says about the bytes that have arrived. */
export interface UploadState {
  size: number | null;
  receivedBytes: number;
  parts: StoredUploadPart[];
}

/** A local file holding (at least) the first `bytes` bytes of an upload, for ffmpeg; `release` when done with it. */
export interface UploadPrefix {
  file: string;
  bytes: number;
  release(): Promise<void>;
}

/**
 * An upload still arriving, as early start reads it: the API node plans from its head, a worker encodes the
 * chunks whose bytes are in. Only bytes every node can read count as arrived.
 */
export interface GrowingUpload {
  readableBytes(upload: UploadState): number;
  read(videoId: string, upload: UploadState, start: number, end: number): Promise<Uint8Array>;
  /** ffprobe's JSON report on the first `bytes` bytes. */
  probe(videoId: string, upload: UploadState, bytes: number): Promise<string>;
  /** On a worker: a local file with the first `bytes` bytes, kept in `cacheDir` for the video's next chunks. */
  openPrefix(videoId: string, upload: UploadState, bytes: number, cacheDir: string): Promise<UploadPrefix>;
  /** Drops this process's local copy of the upload (the upload is complete or gone). */
  forget(videoId: string): Promise<void>;
  /**
   * Once the upload is complete: moves this process's local copy of its first bytes to `file` (copies it while a
   * task still reads it), for the rest to be fetched after it. Returns whether there was one.
   */
  adoptPrefix(videoId: string, file: string): Promise<boolean>;
}

type Ffprobe = (args: string[]) => Promise<string>;

async function readFileRange(file: string, start: number, end: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, end - start));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  } finally {
    await handle.close();
  }
}

/** fs driver: the upload grows in place on the shared media directory; every byte written is readable. */
export class FsGrowingUpload implements GrowingUpload {
  constructor(
    private readonly mediaDir: string,
    private readonly ffprobe: () => Ffprobe,
  ) {}

  private fileOf(videoId: string): string {
    return path.join(this.mediaDir, ...uploadKeyFor(videoId).split('/'));
  }

  readableBytes(upload: UploadState): number {
    return upload.receivedBytes;
  }

  read(videoId: string, _upload: UploadState, start: number, end: number): Promise<Uint8Array> {
    return readFileRange(this.fileOf(videoId), start, end);
  }

  probe(videoId: string, _upload: UploadState, bytes: number): Promise<string> {
    return this.ffprobe()(partialProbeArgs(this.fileOf(videoId), bytes));
  }

  async openPrefix(videoId: string, upload: UploadState): Promise<UploadPrefix> {
    return { file: this.fileOf(videoId), bytes: upload.receivedBytes, release: async () => {} };
  }

  async forget(): Promise<void> {}

  async adoptPrefix(): Promise<boolean> {
    return false;
  }
}

/** Where each part starts in the file, from the part list in the upload's row. */
function partOffsets(parts: StoredUploadPart[]): { part: StoredUploadPart; start: number; end: number }[] {
  let at = 0;
  return [...parts]
    .sort((a, b) => a.number - b.number)
    .map((part) => {
      const placed = { part, start: at, end: at + part.size };
      at += part.size;
      return placed;
    });
}

/** One video's local copy on a worker: grown part by part, shared by the tasks of that worker. */
interface PrefixCopy {
  file: string;
  bytes: number;
  users: number;
  growing: Promise<void>;
}

/** Local copies a worker keeps of uploads whose chunks it is not encoding right now. */
const KEEP_COPIES = 3;
/** Bytes the API node hands ffprobe at most when planning (the container's head is at the start). */
const MAX_PROBE_BYTES = 256 * 1024 * 1024;

/**
 * S3 driver: the parts of an unfinished multipart upload cannot be read back, so the upload store also writes
 * each part as an object of its own (`uploadPartCopyKey`). Bytes of the part not yet full (kept in the row)
 * are not readable. Reads map file offsets onto those objects; a worker keeps a local copy of the prefix it
 * has fetched and adds the parts that arrive after, so each byte crosses the network once per worker.
 */
export class S3GrowingUpload implements GrowingUpload {
  private readonly copies = new Map<string, PrefixCopy>();

  constructor(
    private readonly storage: Storage,
    private readonly probeDir: string,
    private readonly ffprobe: () => Ffprobe,
  ) {}

  readableBytes(upload: UploadState): number {
    return upload.parts.reduce((sum, part) => sum + part.size, 0);
  }

  /** The readable copy of one part (or a range of it). */
  private async readPart(videoId: string, part: StoredUploadPart, range?: ByteRange): Promise<Readable> {
    const object = await this.storage.read(uploadPartCopyKey(uploadKeyFor(videoId), part.number), range);
    if (!object) throw new Error(`part ${part.number} of the upload is not readable`);
    return object.body;
  }

  async read(videoId: string, upload: UploadState, start: number, end: number): Promise<Uint8Array> {
    const pieces: Buffer[] = [];
    for (const placed of partOffsets(upload.parts)) {
      if (placed.end <= start || placed.start >= end) continue;
      const body = await this.readPart(videoId, placed.part, {
        start: Math.max(start, placed.start) - placed.start,
        end: Math.min(end, placed.end) - placed.start - 1,
      });
      for await (const piece of body as AsyncIterable<Buffer>) pieces.push(piece);
    }
    const joined = Buffer.concat(pieces);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.length);
  }

  async probe(videoId: string, upload: UploadState, bytes: number): Promise<string> {
    const wanted = Math.min(bytes, this.readableBytes(upload), MAX_PROBE_BYTES);
    await mkdir(this.probeDir, { recursive: true });
    const file = path.join(this.probeDir, `probe-${randomUUID()}`);
    try {
      await this.fetchParts(videoId, upload, file, 0, wanted);
      return await this.ffprobe()(partialProbeArgs(file, wanted));
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Appends the parts covering [from, to) to `file`, which holds exactly `from` bytes (a part boundary). */
  private async fetchParts(videoId: string, upload: UploadState, file: string, from: number, to: number): Promise<number> {
    let at = from;
    for (const placed of partOffsets(upload.parts)) {
      if (placed.end <= at) continue;
      if (at >= to) break;
      if (placed.start !== at) throw new Error('the local copy does not end on a part boundary');
      const body = await this.readPart(videoId, placed.part);
      try {
        await pipeline(body, createWriteStream(file, { flags: 'a' }));
      } catch (error) {
        // A part half-written would shift every later byte: cut back to the last whole part.
        await truncate(file, at).catch(() => undefined);
        throw error;
      }
      at = placed.end;
    }
    return at;
  }

  async openPrefix(videoId: string, upload: UploadState, bytes: number, cacheDir: string): Promise<UploadPrefix> {
    let copy = this.copies.get(videoId);
    if (!copy) {
      await this.evictIdle(KEEP_COPIES - 1);
      // Absolute: ffmpeg reads it through `subfile`, whose inner path must not look like a protocol name.
      const file = path.resolve(cacheDir, `growing-${videoId}`);
      copy = { file, bytes: 0, users: 0, growing: Promise.resolve() };
      this.copies.set(videoId, copy);
    }
    copy.users += 1;
    const entry = copy;
    try {
      await mkdir(cacheDir, { recursive: true });
      entry.growing = entry.growing
        .catch(() => undefined)
        .then(async () => {
          // The worker's scratch may have been cleared under it (a worker stopping between tasks): start over.
          const onDisk = await stat(entry.file).then(
            (info) => info.size,
            () => -1,
          );
          if (onDisk !== entry.bytes) {
            await rm(entry.file, { force: true });
            entry.bytes = 0;
          }
          if (entry.bytes < bytes) entry.bytes = await this.fetchParts(videoId, upload, entry.file, entry.bytes, bytes);
        });
      await entry.growing;
      if (entry.bytes < bytes) throw new Error('the upload has fewer readable bytes than the chunk needs');
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
    let released = false;
    return {
      file: entry.file,
      bytes: entry.bytes,
      release: async () => {
        if (released) return;
        released = true;
        entry.users -= 1;
      },
    };
  }

  /** Keeps at most `keep` copies no task is using (the oldest go first): uploads that completed are not revisited. */
  private async evictIdle(keep: number): Promise<void> {
    const idle = [...this.copies.keys()].filter((videoId) => this.copies.get(videoId)!.users === 0);
    for (const videoId of idle.slice(0, Math.max(0, idle.length - keep))) await this.forget(videoId);
  }

  async adoptPrefix(videoId: string, file: string): Promise<boolean> {
    const copy = this.copies.get(videoId);
    if (!copy) return false;
    await copy.growing.catch(() => undefined);
    const onDisk = await stat(copy.file).then(
      (info) => info.size,
      () => -1,
    );
    if (onDisk <= 0 || onDisk !== copy.bytes) return false;
    // A task still encoding from it keeps it (a local copy is far cheaper than fetching those bytes again).
    if (copy.users > 0) {
      await copyFile(copy.file, file);
      return true;
    }
    this.copies.delete(videoId);
    await rename(copy.file, file);
    return true;
  }

  async forget(videoId: string): Promise<void> {
    const copy = this.copies.get(videoId);
    if (!copy || copy.users > 0) return;
    this.copies.delete(videoId);
    await copy.growing.catch(() => undefined);
    await rm(copy.file, { force: true });
  }
}
