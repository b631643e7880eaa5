/**
 * Processing that starts before the upload ends (chunked pipeline, fs driver): a fast-start MP4 sent in slow
 * tus PATCHes has its first chunk encoded while the rest is still to come; a MP4 with its index at the end
 * waits for completion and says so; an upload removed midway leaves nothing behind.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { countFrames, makeVideo, waitFor, SMALL_CHUNKED_ENV } from '../helpers/media.ts';
import { startPacedUpload, waitForFinalStatus, taskStatesOf, waitForFirstChunk } from '../helpers/videos.ts';
import { sql } from 'kysely';

const ENV = SMALL_CHUNKED_ENV;
const SECONDS = 30;
const FPS = 25;

let t: TestApp;
let base: string;
let dir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let fastStart: Buffer;
let moovAtEnd: Buffer;

const getVideo = async (id: string) => (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).json<Video>();

const tasksOf = (videoId: string) => taskStatesOf(t, videoId);

const waitForStatus = (videoId: string, what: string) => waitForFinalStatus(t, owner.accessToken, videoId, 180_000, what);
const startUpload = (title: string, bytes: Buffer) => startPacedUpload(t, owner.accessToken, title, bytes);

/** Every file under the video's media folder (its outputs), relative. */
async function outputsOf(videoId: string): Promise<string[]> {
  const root = path.join(t.config.mediaDir, 'videos', videoId);
  return readdir(root, { recursive: true }).catch(() => []);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-early-'));
  t = await startTestApp(ENV, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  owner = await registerUser(t.app, 'earlybird');
  const options = { width: 426, height: 240, seconds: SECONDS, fps: FPS };
  fastStart = await readFile(await makeVideo(dir, 'fast.mp4', { ...options, extraArgs: ['-movflags', '+faststart'] }));
  moovAtEnd = await readFile(await makeVideo(dir, 'end.mp4', options));
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('processing during the upload', () => {
  it('encodes the first chunk of a fast-start MP4 before the last PATCH, and ends as a normal upload does', async () => {
    const upload = await startUpload('Fast start', fastStart);
    // A quarter of the file (~7.5 s): chunk 0 (0–2 s, read to 5 s) is in, chunk 1 (2–6 s, read to 9 s) is not.
    await upload.sendTo(Math.floor(fastStart.length / 4));
    await waitForFirstChunk(t, upload.videoId);
    const during = await getVideo(upload.videoId);
    expect(during.status).toBe('awaiting_upload');
    expect(during.processingStart).toBe('during_upload');
    expect(during.processingStartNote).toBeNull();
    // Nothing whose bytes have not arrived has run: later chunks, the audio and the thumbnails wait.
    const early = await tasksOf(upload.videoId);
    expect(early.filter((task) => task.attempts > 0).map((task) => task.task)).toEqual(['video:0:low']);
    const received = await t.infra.db.selectFrom('uploads').select(['received_bytes', 'size']).where('video_id', '=', upload.videoId).executeTakeFirstOrThrow();
    expect(received.received_bytes).toBeLessThan(received.size!);

    await upload.sendTo(fastStart.length);
    const ready = await waitForStatus(upload.videoId, 'the video to be ready');
    expect(ready.status, ready.error ?? '').toBe('ready');
    expect(ready.processingStart).toBeNull();
    // Chunk 0 was not redone at completion: the plan made from the head held for the whole file.
    const tasks = await tasksOf(upload.videoId);
    expect(tasks.map((task) => task.task)).toEqual(['audio', 'thumbnails', 'video:0:low', 'video:1:low', 'video:2:low', 'video:3:low', 'video:4:low']);
    expect(tasks.find((task) => task.task === 'video:0:low')!.attempts).toBe(1);
    expect(await t.infra.db.selectFrom('early_starts').selectAll().where('video_id', '=', upload.videoId).execute()).toEqual([]);
    const hls = `${base}${ready.playback!.hls}`;
    expect(await countFrames(hls)).toBe(SECONDS * FPS);
    expect(await countFrames(`${base}${ready.playback!.dash!}`)).toBe(SECONDS * FPS);
  }, 240_000);

  it('waits for the whole file when the MP4 index is at the end, and says so', async () => {
    const upload = await startUpload('Index at the end', moovAtEnd);
    await upload.sendTo(Math.floor(moovAtEnd.length / 2));
    const waiting = await waitFor(
      async () => {
        const video = await getVideo(upload.videoId);
        return video.processingStart ? video : undefined;
      },
      30_000,
      'the decision',
    );
    expect(waiting.status).toBe('awaiting_upload');
    expect(waiting.processingStart).toBe('at_completion');
    expect(waiting.processingStartNote).toMatch(/^Processing starts when the upload completes: this MP4 keeps its index at the end/);
    expect(await tasksOf(upload.videoId)).toEqual([]);

    await upload.sendTo(moovAtEnd.length);
    const ready = await waitForStatus(upload.videoId, 'the video to be ready');
    expect(ready.status, ready.error ?? '').toBe('ready');
    expect(await countFrames(`${base}${ready.playback!.hls}`)).toBe(SECONDS * FPS);
  }, 240_000);

  it('an upload removed midway takes the early plan, its tasks and its outputs with it', async () => {
    const upload = await startUpload('Abandoned', fastStart);
    await upload.sendTo(Math.floor(fastStart.length / 2));
    await waitForFirstChunk(t, upload.videoId);
    expect((await outputsOf(upload.videoId)).some((file) => file.endsWith('.m4s'))).toBe(true);

    const removed = await fetch(upload.url, { method: 'DELETE', headers: { authorization: `Bearer ${owner.accessToken}`, 'tus-resumable': '1.0.0' } });
    expect(removed.status).toBe(204);
    expect(await tasksOf(upload.videoId)).toEqual([]);
    expect(await t.infra.db.selectFrom('transcode_plans').selectAll().where('video_id', '=', upload.videoId).execute()).toEqual([]);
    // A task that was still encoding uploads its segments and then, at its next heartbeat, removes them again.
    await waitFor(async () => (await outputsOf(upload.videoId)).length === 0, 15_000, 'the outputs to be removed');
    const jobs =
      await sql`SELECT 1 FROM pgboss.job WHERE name IN ('video.transcode-task', 'video.transcode-audio') AND data->>'videoId' = ${upload.videoId} AND state IN ('created', 'retry')`.execute(
        t.infra.db,
      );
    expect(jobs.rows).toHaveLength(0);
    const video = await getVideo(upload.videoId);
    expect(video.status).toBe('awaiting_upload');
    expect(video.processingStart).toBeNull();
  }, 240_000);

  it('an upload that expires midway is swept with its early plan and outputs', async () => {
    const upload = await startUpload('Expired', fastStart);
    await upload.sendTo(Math.floor(fastStart.length / 2));
    await waitForFirstChunk(t, upload.videoId);
    expect((await outputsOf(upload.videoId)).some((file) => file.endsWith('.m4s'))).toBe(true);
    // Created longer ago than UPLOAD_EXPIRY_SECONDS: the next sweep removes it.
    await t.infra.db
      .updateTable('uploads')
      .set({ created_at: new Date(Date.now() - (t.config.UPLOAD_EXPIRY_SECONDS + 60) * 1000) })
      .where('video_id', '=', upload.videoId)
      .execute();
    const sweeper = t.services.uploads;
    expect((await sweeper.sweep()).removed).toBeGreaterThanOrEqual(1);
    expect(await tasksOf(upload.videoId)).toEqual([]);
    // A task that was still encoding uploads its segments and then, at its next heartbeat, removes them again.
    await waitFor(async () => (await outputsOf(upload.videoId)).length === 0, 15_000, 'the outputs to be removed');
    expect(await t.infra.db.selectFrom('early_starts').selectAll().where('video_id', '=', upload.videoId).execute()).toEqual([]);
  }, 240_000);
});
