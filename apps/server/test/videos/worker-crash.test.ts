import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { ffmpegProcessesMentioning, spawnFleetWorker } from '../helpers/faults.ts';
import { makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { sql } from 'kysely';

/**
 * Workers that die or stop mid-transcode. In the default (chunked) mode a killed worker costs the chunk it was
 * encoding and nothing else, and the next worker to start removes what it left on disk; a stopped worker hands
 * its chunk back at once. The one-process mode (TRANSCODE_MODE=single) keeps one test of its own.
 */
const CHUNKED = { SEGMENT_SECONDS: '1', CHUNK_SECONDS: '4', JOB_LEASE_SECONDS: '10', JOB_RETRY_DELAY: '1' };
let t: TestApp;
let base: string;
let dir: string;
const workers: ChildProcess[] = [];

/** A separate worker process on the same database and data directory, as a restarted worker on one machine. */
function startWorkerProcess(env: Record<string, string>, app: TestApp = t) {
  const worker = spawnFleetWorker(app, { ...CHUNKED, ...env });
  workers.push(worker.child);
  return worker;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-crash-'));
  t = await startTestApp(CHUNKED, 'api');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
// A test that fails midway must not leave its worker taking the next test's tasks.
afterEach(() => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function uploadAs(app: TestApp, appBase: string, token: string, title: string): Promise<string> {
  const source = await makeVideo(dir, `${title}.mp4`, { width: 854, height: 480, seconds: 12 });
  const created = (await app.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title } })).json<{ id: string }>();
  await tusUpload(source, { endpoint: `${appBase}/api/v1/uploads`, token, videoId: created.id });
  return created.id;
}

const tasksOf = (videoId: string) =>
  t.infra.db
    .selectFrom('transcode_tasks')
    .select(['task', 'status', 'attempts', 'worker_name', 'worker_token'])
    .where('video_id', '=', videoId)
    .orderBy('task')
    .execute();

async function waitForEnd(token: string, videoId: string, what: string): Promise<Video> {
  return waitFor(
    async () => {
      const video = (await t.app.inject({ url: `/api/v1/videos/${videoId}`, headers: bearer(token) })).json<Video>();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    },
    150_000,
    what,
  );
}

/** Waits until the worker encodes a chunk (a running video task and its ffmpeg), and returns that task. */
async function chunkInProgress(videoId: string, output: () => string) {
  return waitFor(
    async () => {
      const running = (await tasksOf(videoId)).find((task) => task.status === 'running' && task.task.startsWith('video:'));
      return running && (await ffmpegProcessesMentioning(t.dataDir)).length > 0 ? running : undefined;
    },
    90_000,
    'the worker to encode a chunk',
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${output().slice(-3000)}`);
  });
}

describe('a worker killed mid-chunk', () => {
  it('costs only that chunk, and the next worker to start removes the source cache and scratch it left', async () => {
    const { accessToken } = await registerUser(t.app);
    const videoId = await uploadAs(t, base, accessToken, 'killed');
    // A deliberately slow first worker, so there is time to kill it while it holds a chunk.
    const doomed = startWorkerProcess({ X264_PRESET: 'slower', TRANSCODE_MAX_HEIGHT: '480' });
    await chunkInProgress(videoId, doomed.output);
    const work = path.join(t.dataDir, 'work');
    const doomedCache = `sources-${hostname()}:${doomed.child.pid}`;
    // On fs storage the source is read in place: no copy. A worker on S3 keeps copies in its cache directory,
    // which is put here by hand for the dead worker, with a source in it, to see it swept. The victim is a chunk
    // the worker is encoding in its scratch directory (with two task slots, one task may be just starting or
    // just ending).
    const { victim, doomedScratch } = await waitFor(
      async () => {
        const entries = await readdir(work).catch(() => [] as string[]);
        for (const task of (await tasksOf(videoId)).filter((row) => row.status === 'running' && row.task.startsWith('video:') && row.worker_token)) {
          const name = `${videoId}-${task.task.replaceAll(':', '-')}-${task.worker_token!.slice(0, 8)}`;
          if (entries.includes(name)) return { victim: task, doomedScratch: name };
        }
        return undefined;
      },
      60_000,
      'a chunk encoding in its scratch directory',
    );
    expect(await readdir(work)).not.toContain(doomedCache);
    // What the doomed worker holds when it dies: the chunk, and perhaps the audio (it has a slot of its own).
    const heldAtKill = (await tasksOf(videoId)).filter((task) => task.status === 'running').map((task) => task.task);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await mkdir(path.join(work, doomedCache));
    await writeFile(path.join(work, doomedCache, 'source-copy'), 'bytes');
    // Its ffmpeg dies with it (parent-death signal), and the lost chunk stays claimed until its lease lapses.
    await waitFor(async () => (await ffmpegProcessesMentioning(t.dataDir)).length === 0, 5000, 'ffmpeg to die with its worker');
    expect(await readdir(work)).toEqual(expect.arrayContaining([doomedCache, doomedScratch]));

    const replacement = startWorkerProcess({ X264_PRESET: 'ultrafast', TRANSCODE_MAX_HEIGHT: '240' });
    // At start-up: the dead process's source copy goes at once (its pid no longer runs on this machine).
    await waitFor(async () => !(await readdir(work)).includes(doomedCache), 60_000, 'the dead worker’s source cache to be removed').catch((error: Error) => {
      throw new Error(`${error.message}\n${replacement.output().slice(-3000)}`);
    });
    const finished = await waitForEnd(accessToken, videoId, 'the replacement worker to finish');
    expect(finished.status, `${finished.error ?? ''}\n${replacement.output().slice(-3000)}`).toBe('ready');
    expect(replacement.output()).toContain('requeued transcode tasks whose worker stopped responding');
    // Only what the dead worker held was started twice (its chunk, and the audio if it was encoding it); every
    // other task ran once.
    const tasks = await tasksOf(videoId);
    const restarted = tasks.filter((task) => task.attempts > 1).map((task) => task.task);
    expect(restarted).toContain(victim.task);
    for (const task of restarted) expect(heldAtKill).toContain(task);
    expect(tasks.every((task) => task.status === 'done')).toBe(true);
    // Its scratch goes once the chunk is no longer claimed by a live heartbeat; the video was not restarted.
    await waitFor(async () => !(await readdir(work)).includes(doomedScratch), 30_000, 'the dead task’s scratch to be removed');
    expect(replacement.output()).toContain('removed scratch of transcode attempts that no longer run');
    const row = await t.infra.db.selectFrom('videos').select(['attempts']).where('id', '=', videoId).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect((await fetch(`${base}${finished.playback!.hls}`)).status).toBe(200);
    replacement.child.kill('SIGTERM');
    expect(await replacement.exited).toBe(0);
    // A stopped worker removes its own source copies.
    expect((await readdir(work)).filter((name) => name.startsWith('sources-'))).toEqual([]);
  }, 300_000);

  it('hands its chunk straight back to the queue when it is stopped with SIGTERM', async () => {
    const { accessToken } = await registerUser(t.app);
    const videoId = await uploadAs(t, base, accessToken, 'stopped');
    const stopping = startWorkerProcess({ X264_PRESET: 'slower', TRANSCODE_MAX_HEIGHT: '480' });
    await chunkInProgress(videoId, stopping.output);
    // Its foreground and background slots may both hold a task; one may finish just as the signal comes.
    const heldAtSignal = (await tasksOf(videoId)).filter((task) => task.status === 'running' && task.task.startsWith('video:')).map((task) => task.task);
    const signalledAt = Date.now();
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited, stopping.output().slice(-3000)).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(stopping.output()).toContain('task handed back to the queue');
    // Back in the queue at once, no waiting for the lease: each task it held is pending with a job waiting for a
    // worker (or was done before the signal landed), and none is left running.
    expect(await ffmpegProcessesMentioning(t.dataDir)).toEqual([]);
    const after = await tasksOf(videoId);
    expect(after.filter((task) => task.status === 'running' && task.task.startsWith('video:'))).toEqual([]);
    const handedBack = heldAtSignal.filter((name) => after.find((task) => task.task === name)!.status === 'pending');
    expect(handedBack.length).toBeGreaterThan(0);
    for (const name of handedBack) {
      const { rows } = await sql<{
        count: string;
      }>`SELECT count(*) FROM pgboss.job WHERE name = 'video.transcode-task' AND data->>'videoId' = ${videoId} AND data->>'task' = ${name} AND state = 'created'`.execute(
        t.infra.db,
      );
      expect(Number(rows[0]!.count)).toBe(1);
    }
    expect(await readdir(path.join(t.dataDir, 'work')).catch(() => [])).toEqual([]);

    const next = startWorkerProcess({ X264_PRESET: 'ultrafast', TRANSCODE_MAX_HEIGHT: '240' });
    const finished = await waitForEnd(accessToken, videoId, 'the next worker to finish');
    expect(finished.status, next.output().slice(-3000)).toBe('ready');
    expect(next.output()).not.toContain('requeued transcode tasks whose worker stopped responding');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 300_000);
});

describe('a one-process worker (TRANSCODE_MODE=single) that dies mid-transcode', () => {
  it('has its video picked up again by another worker once its heartbeat stops', async () => {
    const single = await startTestApp({ TRANSCODE_MODE: 'single', JOB_LEASE_SECONDS: '10' }, 'api');
    try {
      await single.app.listen({ port: 0, host: '127.0.0.1' });
      const singleBase = `http://127.0.0.1:${(single.app.server.address() as AddressInfo).port}`;
      const { accessToken } = await registerUser(single.app);
      const videoId = await uploadAs(single, singleBase, accessToken, 'single');
      const getVideo = async () => (await single.app.inject({ url: `/api/v1/videos/${videoId}`, headers: bearer(accessToken) })).json<Video>();
      const doomed = startWorkerProcess({ TRANSCODE_MODE: 'single', X264_PRESET: 'slower', TRANSCODE_MAX_HEIGHT: '480' }, single);
      const midway = await waitFor(
        async () => {
          const video = await getVideo();
          return video.status === 'processing' && (video.progress ?? 0) > 0.05 ? video : undefined;
        },
        60_000,
        'the first worker to report progress',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${doomed.output()}`);
      });
      expect(midway.progress).toBeLessThan(0.95);
      expect(midway.etaSeconds).toEqual(expect.any(Number));
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      expect((await getVideo()).status).toBe('processing');

      const replacement = startWorkerProcess({ TRANSCODE_MODE: 'single', X264_PRESET: 'ultrafast', TRANSCODE_MAX_HEIGHT: '240' }, single);
      const finished = await waitFor(
        async () => {
          const video = await getVideo();
          return video.status === 'ready' || video.status === 'failed' ? video : undefined;
        },
        90_000,
        'the replacement worker to finish',
      );
      expect(finished.status, replacement.output()).toBe('ready');
      expect(replacement.output()).toContain('requeued videos whose worker stopped responding');
      const row = await single.infra.db.selectFrom('videos').select(['attempts', 'worker_token']).where('id', '=', videoId).executeTakeFirstOrThrow();
      expect(row).toEqual({ attempts: 2, worker_token: null });
      expect((await fetch(`${singleBase}${finished.playback!.hls}`)).status).toBe(200);
      replacement.child.kill('SIGTERM');
      expect(await replacement.exited).toBe(0);
    } finally {
      await single.close();
    }
  }, 180_000);
});
