/**
 * Processing that starts before the upload ends, for Matroska (chunked pipeline, fs driver): a VP9/Opus WebM
 * and an H.264/AAC MKV sent in slow tus PATCHes have their first chunk encoded from the clusters that have
 * arrived; a live WebM (no duration in its Segment Info, clusters of unknown size as MediaRecorder writes them)
 * waits for completion, says why, and is then processed with the duration measured from its packets, in the
 * chunked pipeline and in the one-process (single) pipeline.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { withUnknownClusterSizes } from '../../../../packages/ladder/test/support/matroska-fixtures.ts';
import { countFrames, FFMPEG, FFPROBE, tusUpload, waitFor, SMALL_CHUNKED_ENV } from '../helpers/media.ts';
import { startPacedUpload, waitForFinalStatus, taskStatesOf, waitForFirstChunk } from '../helpers/videos.ts';
import { parseProbe } from '@tube/ladder';
import { buildChunkedPlan, chunkedPlanOptions, type ChunkedPlan } from '../../src/transcoding/chunked/chunked-plan.ts';
import { samePlan } from '../../src/transcoding/early/early-start.service.ts';

const run = promisify(execFile);
const ENV = SMALL_CHUNKED_ENV;
const SECONDS = 30;
const FPS = 25;

let t: TestApp;
let base: string;
let dir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let webm: Buffer;
let mkv: Buffer;
let liveWebm: Buffer;

const getVideo = async (id: string) => (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).json<Video>();

const tasksOf = (videoId: string) => taskStatesOf(t, videoId);

const waitForStatus = (videoId: string, what: string) => waitForFinalStatus(t, owner.accessToken, videoId, 180_000, what);
const startUpload = (title: string, bytes: Buffer, name: string, type: string) => startPacedUpload(t, owner.accessToken, title, bytes, { name, type });

const chunkZeroDone = (videoId: string) => waitForFirstChunk(t, videoId);

const planOf = (videoId: string) =>
  t.infra.db.selectFrom('transcode_plans').select(['media_prefix', 'plan']).where('video_id', '=', videoId).executeTakeFirstOrThrow();

/** The plan completion makes from the whole file, as the pipeline makes it. */
async function planOfWholeFile(bytes: Buffer, name: string): Promise<ChunkedPlan> {
  const file = path.join(dir, `whole-${name}`);
  await writeFile(file, bytes);
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  return buildChunkedPlan(parseProbe(JSON.parse(stdout)), chunkedPlanOptions(t.config));
}

async function outputsOf(videoId: string): Promise<string[]> {
  return readdir(path.join(t.config.mediaDir, 'videos', videoId), { recursive: true }).catch(() => []);
}

async function encode(name: string, args: string[]): Promise<Buffer> {
  const input = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=426x240:rate=${FPS}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  const output = path.join(dir, name);
  await run(FFMPEG, [...input, '-t', String(SECONDS), '-shortest', '-g', String(FPS * 2), ...args, output]);
  return readFile(output);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-early-mkv-'));
  t = await startTestApp(ENV, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  owner = await registerUser(t.app, 'matroska');
  const vp9 = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-b:a', '48k'];
  webm = await encode('camera.webm', vp9);
  mkv = await encode('edit.mkv', ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac']);
  liveWebm = withUnknownClusterSizes(await encode('live.webm', [...vp9, '-live', '1', '-f', 'webm', '-cluster_time_limit', '1000']));
  await writeFile(path.join(dir, 'recording.webm'), liveWebm);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Matroska processed during the upload', () => {
  it('encodes the first chunk of a VP9/Opus WebM before the last PATCH, and ends as a normal upload does', async () => {
    const upload = await startUpload('WebM', webm, 'camera.webm', 'video/webm');
    // Half the file in PATCHes of 64 KiB: the first chunks (2 s, 4 s, …, each settled by a later cluster) are in, the rest are not.
    const half = Math.floor(webm.length / 2);
    await upload.sendTo(half, 64 * 1024);
    await chunkZeroDone(upload.videoId);
    const during = await getVideo(upload.videoId);
    expect(during.status).toBe('awaiting_upload');
    expect(during.processingStart).toBe('during_upload');
    expect(during.processingStartNote).toBeNull();
    const early = await tasksOf(upload.videoId);
    const row = await t.infra.db
      .selectFrom('early_starts')
      .select(['chunk_bytes', 'total_bytes'])
      .where('video_id', '=', upload.videoId)
      .executeTakeFirstOrThrow();
    expect(row.chunk_bytes[0]).toBeLessThanOrEqual(half);
    expect(row.chunk_bytes.at(-1)).toBe(webm.length);
    // Only chunks whose bytes had all arrived were started (how many of them depends on the worker's pace).
    const started = early.filter((task) => task.attempts > 0).map((task) => task.task);
    expect(started).toContain('video:0:low');
    for (const task of started) expect(row.chunk_bytes[Number(task.split(':')[1])]).toBeLessThanOrEqual(half);
    expect(started).not.toContain(`video:${row.chunk_bytes.length - 1}:low`);
    expect(started).not.toContain('audio');
    const earlyPlan = await planOf(upload.videoId);

    await upload.sendTo(webm.length);
    const ready = await waitForStatus(upload.videoId, 'the video to be ready');
    expect(ready.status, ready.error ?? '').toBe('ready');
    // The plan made from the head held for the whole file (a plan made again gets a new media prefix): chunk 0 was not redone.
    expect((await planOf(upload.videoId)).media_prefix).toBe(earlyPlan.media_prefix);
    const tasks = await tasksOf(upload.videoId);
    expect(tasks.map((task) => task.task)).toEqual(['audio', 'thumbnails', 'video:0:low', 'video:1:low', 'video:2:low', 'video:3:low', 'video:4:low']);
    expect(tasks.find((task) => task.task === 'video:0:low')!.attempts).toBe(1);
    expect(await countFrames(`${base}${ready.playback!.hls}`)).toBe(SECONDS * FPS);
  }, 240_000);

  it('an H.264/AAC MKV starts early too, and a DELETE midway takes the plan and its outputs with it', async () => {
    const upload = await startUpload('MKV', mkv, 'edit.mkv', 'video/x-matroska');
    await upload.sendTo(Math.floor(mkv.length / 2), 256 * 1024);
    await chunkZeroDone(upload.videoId);
    expect((await getVideo(upload.videoId)).processingStart).toBe('during_upload');
    expect((await outputsOf(upload.videoId)).some((file) => file.endsWith('.m4s'))).toBe(true);
    // The plan made from half the file is the one the whole file gives.
    expect(samePlan((await planOf(upload.videoId)).plan as ChunkedPlan, await planOfWholeFile(mkv, 'edit.mkv'))).toBe(true);

    const removed = await fetch(upload.url, { method: 'DELETE', headers: { authorization: `Bearer ${owner.accessToken}`, 'tus-resumable': '1.0.0' } });
    expect(removed.status).toBe(204);
    expect(await tasksOf(upload.videoId)).toEqual([]);
    expect(await t.infra.db.selectFrom('transcode_plans').selectAll().where('video_id', '=', upload.videoId).execute()).toEqual([]);
    expect(await t.infra.db.selectFrom('early_starts').selectAll().where('video_id', '=', upload.videoId).execute()).toEqual([]);
    // A task that was still encoding uploads its segments and then, at its next heartbeat, removes them again.
    await waitFor(async () => (await outputsOf(upload.videoId)).length === 0, 15_000, 'the outputs to be removed');
    expect((await getVideo(upload.videoId)).processingStart).toBeNull();
  }, 240_000);

  it('a live WebM, which does not say how long it is, waits for the whole file, says so, and is then processed with its measured length', async () => {
    const upload = await startUpload('Live', liveWebm, 'recording.webm', 'video/webm');
    await upload.sendTo(Math.floor(liveWebm.length / 2));
    const waiting = await waitFor(
      async () => {
        const video = await getVideo(upload.videoId);
        return video.processingStart ? video : undefined;
      },
      30_000,
      'the decision',
    );
    expect(waiting.processingStart).toBe('at_completion');
    expect(waiting.processingStartNote).toMatch(/^Processing starts when the upload completes: this file does not say how long it is/);
    // Nothing was planned: no plan, no tasks, no early-start row (what completion then does is the usual path).
    expect(await tasksOf(upload.videoId)).toEqual([]);
    expect(await t.infra.db.selectFrom('early_starts').selectAll().where('video_id', '=', upload.videoId).execute()).toEqual([]);

    await upload.sendTo(liveWebm.length);
    const ready = await waitForStatus(upload.videoId, 'the live WebM to be ready');
    expect(ready.status, ready.error ?? '').toBe('ready');
    await expectMeasuredLength(ready, base);
    // Chunks planned on the measured length: those of the same recording with its Duration declared.
    const declaredChunks = (await planOfWholeFile(webm, 'camera.webm')).chunks;
    expect(declaredChunks.length).toBeGreaterThan(2);
    expect((await tasksOf(upload.videoId)).map((task) => task.task)).toEqual([
      'audio',
      'thumbnails',
      ...declaredChunks.map((chunk) => `video:${chunk.index}:low`),
    ]);
  }, 240_000);
});

/** The same recording with its Duration declared: what the measured length must match. */
async function declaredDuration(): Promise<number> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path.join(dir, 'camera.webm')]);
  return Number(stdout.trim());
}

/** Duration in the API and the DASH manifest, every frame in HLS, a poster: as for a file that declares its length. */
async function expectMeasuredLength(ready: Video, origin: string): Promise<void> {
  const declared = await declaredDuration();
  expect(declared).toBeGreaterThan(SECONDS - 0.1);
  // Packet durations do not subtract the end padding of the last Opus packet (≤ 20 ms), which the muxer's Duration does.
  expect(Math.abs(ready.durationSeconds! - declared)).toBeLessThanOrEqual(0.025);
  expect(await countFrames(`${origin}${ready.playback!.hls}`)).toBe(SECONDS * FPS);
  const mpd = await (await fetch(`${origin}${ready.playback!.dash}`)).text();
  const presentation = /mediaPresentationDuration="PT(?:(\d+)H)?(?:(\d+)M)?([\d.]+)S"/.exec(mpd);
  expect(presentation, mpd.slice(0, 400)).not.toBeNull();
  expect(Number(presentation![1] ?? 0) * 3600 + Number(presentation![2] ?? 0) * 60 + Number(presentation![3])).toBeCloseTo(declared, 1);
  expect(ready.thumbnailUrl).not.toBeNull();
  expect((await fetch(`${origin}${ready.thumbnailUrl}`)).status).toBe(200);
}

describe('a live WebM in the single pipeline', () => {
  let single: TestApp;

  afterAll(async () => {
    await single?.close();
  });

  it('is processed at completion with the duration measured from its packets', async () => {
    single = await startTestApp({ ...ENV, TRANSCODE_MODE: 'single' }, 'all', { withWorker: true });
    await single.app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(single.app.server.address() as AddressInfo).port}`;
    const uploader = await registerUser(single.app, 'single');
    const created = (
      await single.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(uploader.accessToken), payload: { title: 'Live, single' } })
    ).json<{ id: string }>();
    const sent = await tusUpload(path.join(dir, 'recording.webm'), { endpoint: `${origin}/api/v1/uploads`, token: uploader.accessToken, videoId: created.id });
    expect(sent.completed).toBe(true);
    const ready = await waitFor(
      async () => {
        const video = (await single.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(uploader.accessToken) })).json<Video>();
        return video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      180_000,
      'the live WebM to be ready (single)',
    );
    expect(ready.status, ready.error ?? '').toBe('ready');
    await expectMeasuredLength(ready, origin);
  }, 240_000);
});
