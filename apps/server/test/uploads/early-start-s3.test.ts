/**
 * Early start on the S3 driver: the parts of an unfinished multipart upload cannot be read back, so the upload
 * store also writes each 5 MiB part as an object of its own; the API node plans from those, a worker encodes
 * the chunks whose parts are in from a local copy of them, and the copies go when the video is ready or the
 * upload is removed. The bytes of the part not yet full (kept in PostgreSQL) do not count as arrived.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { countFrames, makeVideo, SMALL_CHUNKED_ENV, waitFor } from '../helpers/media.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';
import { startPacedUpload, waitForFinalStatus, taskStatesOf, waitForFirstChunk } from '../helpers/videos.ts';

const ENV = { ...SMALL_CHUNKED_ENV, EARLY_START: 'true' };
const SECONDS = 30;
const FPS = 25;
const PART_BYTES = 5 * 1024 * 1024;

let s3: S3Server;
let t: TestApp;
let base: string;
let dir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
/** ~22 MB: four whole 5 MiB parts and a tail. */
let fastStart: Buffer;

const getVideo = async (id: string) => (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).json<Video>();
const tasksOf = (videoId: string) => taskStatesOf(t, videoId);
const partCopiesOf = (videoId: string) => t.infra.storage.list(`uploads/${videoId}.parts/`);
/** The worker's local copies of uploads in progress. */
async function localCopies(): Promise<string[]> {
  const files = await readdir(path.join(t.config.dataDir, 'work'), { recursive: true }).catch(() => [] as string[]);
  return files.filter((file) => path.basename(file).startsWith('growing-'));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-early-s3-'));
  s3 = await startS3Server(dir);
  t = await startTestApp({ ...ENV, ...s3StorageEnv(s3) }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  owner = await registerUser(t.app, 's3early');
  // Constant 6 Mbit/s, so the parts cover known spans of time (one part ≈ 7 s).
  fastStart = await readFile(
    await makeVideo(dir, 'fast.mp4', {
      width: 426,
      height: 240,
      seconds: SECONDS,
      fps: FPS,
      extraArgs: ['-b:v', '6M', '-minrate', '6M', '-maxrate', '6M', '-bufsize', '2M', '-x264-params', 'nal-hrd=cbr', '-movflags', '+faststart'],
    }),
  );
  expect(fastStart.length).toBeGreaterThan(4 * PART_BYTES);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('early start on the S3 driver', () => {
  it('encodes the chunks whose parts are in before the upload ends, and ends as a normal upload does', async () => {
    const upload = await startPacedUpload(t, owner.accessToken, 'Early on S3', fastStart);
    // Most of a second part: only the first part (≈ 7 s) is readable, enough for chunk 0 (0–2 s, read to 5 s).
    await upload.sendTo(Math.floor(PART_BYTES * 1.9), 1024 * 1024);
    await waitForFirstChunk(t, upload.videoId);
    const during = await getVideo(upload.videoId);
    expect(during.status).toBe('awaiting_upload');
    expect(during.processingStart).toBe('during_upload');
    expect(during.processingStartNote).toBeNull();
    // The bytes past the first part are only in the database row: chunk 1 (read to 9 s) waits for them.
    const early = await tasksOf(upload.videoId);
    expect(early.filter((task) => task.attempts > 0).map((task) => task.task)).toEqual(['video:0:low']);
    expect(await partCopiesOf(upload.videoId)).toEqual([`uploads/${upload.videoId}.parts/00001`]);
    expect(await localCopies()).toHaveLength(1);

    // How the worker reads the complete source: it already holds the first part, so only the rest is fetched.
    const sourceReads: string[] = [];
    const storage = t.infra.storage;
    const read = storage.read.bind(storage);
    storage.read = (key, range) => {
      if (key === `uploads/${upload.videoId}`) sourceReads.push(range ? `${range.start}-${range.end}` : 'whole');
      return read(key, range);
    };
    await upload.sendTo(fastStart.length, 4 * 1024 * 1024);
    const ready = await waitForFinalStatus(t, owner.accessToken, upload.videoId, 180_000, 'the video to be ready');
    storage.read = read;
    // One ranged read from where the local copy ended (a part boundary: more parts may have been fetched for the
    // chunks released while the rest was arriving) to the end; never the whole object again.
    expect(sourceReads).toHaveLength(1);
    const [from, to] = sourceReads[0]!.split('-').map(Number);
    expect(from! % PART_BYTES).toBe(0);
    expect(from).toBeGreaterThanOrEqual(PART_BYTES);
    expect(to).toBe(fastStart.length - 1);
    expect(ready.status, ready.error ?? '').toBe('ready');
    expect(ready.processingStart).toBeNull();
    // Chunk 0 was not redone: the plan made from the first part held for the whole file.
    const tasks = await tasksOf(upload.videoId);
    expect(tasks.map((task) => task.task)).toEqual(['audio', 'thumbnails', 'video:0:low', 'video:1:low', 'video:2:low', 'video:3:low', 'video:4:low']);
    expect(tasks.find((task) => task.task === 'video:0:low')!.attempts).toBe(1);
    expect(await countFrames(`${base}${ready.playback!.hls}`)).toBe(SECONDS * FPS);
    expect(await countFrames(`${base}${ready.playback!.dash!}`)).toBe(SECONDS * FPS);
    // The source is one object again; the part copies and the worker's local copy are gone.
    expect((await t.infra.storage.stat(`uploads/${upload.videoId}`))?.size ?? fastStart.length).toBe(fastStart.length);
    await waitFor(async () => (await partCopiesOf(upload.videoId)).length === 0, 15_000, 'the part copies to be removed');
    expect(await localCopies()).toEqual([]);
  }, 240_000);

  it('an upload removed midway takes its part copies, early plan and outputs with it', async () => {
    const upload = await startPacedUpload(t, owner.accessToken, 'Abandoned on S3', fastStart);
    await upload.sendTo(Math.floor(PART_BYTES * 2.5), 2 * 1024 * 1024);
    await waitForFirstChunk(t, upload.videoId);
    expect(await partCopiesOf(upload.videoId)).toHaveLength(2);

    const removed = await fetch(upload.url, { method: 'DELETE', headers: { authorization: `Bearer ${owner.accessToken}`, 'tus-resumable': '1.0.0' } });
    expect(removed.status).toBe(204);
    expect(await tasksOf(upload.videoId)).toEqual([]);
    expect(await partCopiesOf(upload.videoId)).toEqual([]);
    await waitFor(async () => (await t.infra.storage.list(`videos/${upload.videoId}`)).length === 0, 15_000, 'the outputs to be removed');
    expect((await getVideo(upload.videoId)).processingStart).toBeNull();
  }, 240_000);
});
