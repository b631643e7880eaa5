/**
 * How early start reads an S3 upload in progress, on a real S3-protocol server (s3rver): offsets map onto the
 * readable part copies across part boundaries, a worker's local copy grows part by part (shared by concurrent
 * tasks, rebuilt when its scratch was cleared), and idle copies are evicted.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredUploadPart } from '../../src/infra/db/schema.ts';
import { S3Storage } from '../../src/infra/storage/s3-storage.ts';
import { S3GrowingUpload, type UploadState } from '../../src/transcoding/early/growing-upload.ts';
import { uploadKeyFor, uploadPartCopyKey } from '../../src/videos/video.service.ts';
import { startS3Server, type S3Server } from '../helpers/s3.ts';

let s3: S3Server;
let storage: S3Storage;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-growing-'));
  s3 = await startS3Server(dir);
  storage = new S3Storage(s3.settings);
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Stores `file` as part copies of `sizes` bytes each (the upload store's readable copies) and returns the row state. */
async function storeParts(videoId: string, file: Buffer, sizes: number[]): Promise<UploadState> {
  const parts: StoredUploadPart[] = [];
  let at = 0;
  for (const [index, size] of sizes.entries()) {
    await storage.put(uploadPartCopyKey(uploadKeyFor(videoId), index + 1), file.subarray(at, at + size));
    parts.push({ number: index + 1, etag: `"${index}"`, size });
    at += size;
  }
  return { size: file.length, receivedBytes: at + 123, parts };
}

const noProbe = () => async () => {
  throw new Error('not used');
};

describe('S3GrowingUpload', () => {
  it('counts only whole parts as readable and reads ranges across part boundaries', async () => {
    const videoId = randomUUID();
    const file = randomBytes(3000);
    const upload = await storeParts(videoId, file, [1000, 1000]);
    const growing = new S3GrowingUpload(storage, path.join(dir, 'probe'), noProbe);
    expect(growing.readableBytes(upload)).toBe(2000);
    expect(Buffer.from(await growing.read(videoId, upload, 0, 10))).toEqual(file.subarray(0, 10));
    expect(Buffer.from(await growing.read(videoId, upload, 990, 1010))).toEqual(file.subarray(990, 1010));
    expect(Buffer.from(await growing.read(videoId, upload, 1000, 2000))).toEqual(file.subarray(1000, 2000));
    // Past what is readable: only the bytes that are there.
    expect(Buffer.from(await growing.read(videoId, upload, 1500, 2500))).toEqual(file.subarray(1500, 2000));
  });

  it('grows one local copy part by part for concurrent tasks, and rebuilds it when the scratch was cleared', async () => {
    const videoId = randomUUID();
    const file = randomBytes(4000);
    const cacheDir = path.join(dir, 'cache-a');
    const growing = new S3GrowingUpload(storage, path.join(dir, 'probe'), noProbe);
    const early = await storeParts(videoId, file, [1000]);
    const first = await growing.openPrefix(videoId, early, 600, cacheDir);
    expect(first.bytes).toBe(1000);
    expect(await readFile(first.file)).toEqual(file.subarray(0, 1000));

    const later = await storeParts(videoId, file, [1000, 1000, 1000]);
    const [second, third] = await Promise.all([growing.openPrefix(videoId, later, 1500, cacheDir), growing.openPrefix(videoId, later, 2500, cacheDir)]);
    expect(second.file).toBe(first.file);
    expect(third.bytes).toBe(3000);
    expect(await readFile(third.file)).toEqual(file.subarray(0, 3000));
    await Promise.all([first.release(), second.release(), third.release()]);

    await rm(cacheDir, { recursive: true, force: true });
    const again = await growing.openPrefix(videoId, later, 2000, cacheDir);
    expect(await readFile(again.file)).toEqual(file.subarray(0, 2000));
    await again.release();
    await growing.forget(videoId);
    await expect(stat(again.file)).rejects.toThrow();
  });

  it('hands its local copy over to the source cache once the upload is complete (a copy of it while a task reads it)', async () => {
    const videoId = randomUUID();
    const file = randomBytes(2000);
    const cacheDir = path.join(dir, 'cache-c');
    const growing = new S3GrowingUpload(storage, path.join(dir, 'probe'), noProbe);
    const upload = await storeParts(videoId, file, [1000]);
    const inUse = await growing.openPrefix(videoId, upload, 1000, cacheDir);
    const copied = path.join(cacheDir, 'source-copy-1');
    expect(await growing.adoptPrefix(videoId, copied)).toBe(true);
    expect(await readFile(copied)).toEqual(file.subarray(0, 1000));
    expect(await readFile(inUse.file)).toEqual(file.subarray(0, 1000));
    await inUse.release();
    const target = path.join(cacheDir, 'source-copy-2');
    expect(await growing.adoptPrefix(videoId, target)).toBe(true);
    expect(await readFile(target)).toEqual(file.subarray(0, 1000));
    expect(existsSync(inUse.file)).toBe(false);
    // Handed over once: nothing is left to adopt or forget.
    expect(await growing.adoptPrefix(videoId, path.join(cacheDir, 'again'))).toBe(false);
  });

  it('refuses a prefix longer than the readable parts, and keeps at most three idle copies', async () => {
    const growing = new S3GrowingUpload(storage, path.join(dir, 'probe'), noProbe);
    const cacheDir = path.join(dir, 'cache-b');
    const file = randomBytes(1000);
    const short = randomUUID();
    await expect(growing.openPrefix(short, await storeParts(short, file, [500]), 800, cacheDir)).rejects.toThrow(/fewer readable bytes/);

    const files: string[] = [];
    for (let index = 0; index < 5; index++) {
      const videoId = randomUUID();
      const copy = await growing.openPrefix(videoId, await storeParts(videoId, file, [1000]), 1000, cacheDir);
      files.push(copy.file);
      await copy.release();
    }
    expect(files.map((file) => existsSync(file))).toEqual([false, false, true, true, true]);
  });
});
