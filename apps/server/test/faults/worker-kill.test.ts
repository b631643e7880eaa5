import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { baseUrl } from '../helpers/videos.ts';
import { ffmpegProcessesMentioning, holdHeavyTestLock, spawnFleetWorker, type TubeProcess } from '../helpers/faults.ts';
import { startReaper } from '../../src/transcoding/transcode.jobs.ts';

/**
 * Workers killed with SIGKILL (no exit handler runs) mid-transcode, again and again: their ffmpeg must die with
 * them, their scratch must not pile up, the interrupted video must not lose its place in the queue, and pg-boss
 * must not keep their jobs `active`. A worker stopped with SIGTERM exits only after its ffmpeg has.
 * This file runs the one-process worker (TRANSCODE_MODE=single), whose unit of work is the whole video; the
 * chunked worker's kills (one chunk lost, its scratch swept) are in videos/worker-crash.test.ts.
 */
let t: TestApp;
let base: string;
let dir: string;
let token: string;
let stopReaper: () => void;
const workers: TubeProcess[] = [];
let releaseHeavyLock: (() => Promise<void>) | undefined;

const SLOW = { X264_PRESET: 'slower', TRANSCODE_MAX_HEIGHT: '360' };
const FAST = { X264_PRESET: 'ultrafast', TRANSCODE_MAX_HEIGHT: '240' };

function startWorker(env: Record<string, string>): TubeProcess {
  const worker = spawnFleetWorker(t, {
    JOB_LEASE_SECONDS: '10',
    SEGMENT_SECONDS: '1',
    TRANSCODE_MODE: 'single',
    ...env,
  });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  releaseHeavyLock = await holdHeavyTestLock();
  dir = await mkdtemp(path.join(tmpdir(), 'tube-worker-kill-'));
  t = await startTestApp({ JOB_LEASE_SECONDS: '10', TRANSCODE_MODE: 'single' }, 'api');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = baseUrl(t);
  token = (await registerUser(t.app)).accessToken;
  // The API process also runs a reaper here, so the test controls when a dead worker's video is requeued.
  stopReaper = startReaper(t.repositories.videos, t.repositories.chunked, t.infra.db, t.infra.queue, t.infra.metrics, t.infra.logger, t.config);
}, 900_000);
// A test that fails midway must not leave its worker taking the next test's job.
afterEach(() => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
});
afterAll(async () => {
  stopReaper?.();
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await t?.close();
  await rm(dir, { recursive: true, force: true });
  await releaseHeavyLock?.();
});

const getVideo = async (id: string) => (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(token) })).json<Video>();

async function upload(title: string, seconds: number): Promise<string> {
  const source = await makeVideo(dir, `${title}.mp4`, { width: 640, height: 360, seconds });
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title } })).json<{ id: string }>();
  await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token, videoId: created.id });
  return created.id;
}

async function jobsOf(videoId: string, state: string): Promise<{ priority: number }[]> {
  const result = await sql<{ priority: number }>`SELECT priority FROM pgboss.job WHERE data->>'videoId' = ${videoId} AND state::text = ${state}`.execute(
    t.infra.db,
  );
  return result.rows;
}

describe('workers killed mid-transcode', () => {
  it('leave no ffmpeg, no scratch and no phantom job behind, and the video keeps its place in the queue', async () => {
    const first = await upload('first', 10);
    for (let kill = 1; kill <= 2; kill++) {
      const doomed = startWorker(SLOW);
      const ffmpeg = await waitFor(
        async () => {
          const video = await getVideo(first);
          if (video.status !== 'processing' || !((video.progress ?? 0) > 0)) return undefined;
          const pids = await ffmpegProcessesMentioning(t.dataDir);
          return pids.length > 0 ? pids : undefined;
        },
        90_000,
        `worker ${kill} to be encoding`,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${doomed.output().slice(-3000)}`);
      });
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      // The kernel kills ffmpeg with its parent (parent-death signal); before, every kill left one encoding.
      await waitFor(async () => (await ffmpegProcessesMentioning(t.dataDir)).length === 0, 5000, `ffmpeg ${ffmpeg.join(',')} to die with its worker`);
      if (kill === 1) await waitFor(async () => (await getVideo(first)).status === 'queued', 30_000, 'the reaper to requeue the video');
    }

    // A second video is uploaded (its job queued) before the first one is requeued after the last kill.
    const second = await upload('second', 2);
    expect((await getVideo(second)).status).toBe('queued');
    await waitFor(async () => (await getVideo(first)).status === 'queued', 30_000, 'the reaper to requeue the video');
    // The dead workers' pg-boss jobs were closed with the requeue, not left `active` for hours.
    expect(await jobsOf(first, 'active')).toEqual([]);
    // An operator sees it: two jobs waiting, and the reaper's requeues of lost workers.
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/tube_queue_depth\{queue="video\.transcode"\} 2/);
    expect(metrics).toMatch(/tube_queue_oldest_job_age_seconds\{queue="video\.transcode"\} [1-9]/);
    expect(metrics).toMatch(/tube_jobs_requeued_total\{reason="worker_lost"\} 2/);
    const scratch = path.join(t.dataDir, 'work');

    const survivor = startWorker(FAST);
    const done = await waitFor(
      async () => {
        const [a, b] = await Promise.all([getVideo(first), getVideo(second)]);
        return a.status === 'ready' && b.status === 'ready' ? [a, b] : undefined;
      },
      90_000,
      'both videos to be ready',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${survivor.output().slice(-3000)}`);
    });
    const rows = await t.infra.db.selectFrom('videos').select(['id', 'published_at']).where('id', 'in', [first, second]).execute();
    const publishedAt = (id: string) => rows.find((row) => row.id === id)!.published_at!.getTime();
    // The interrupted video went first, though the second one's job was older.
    expect(publishedAt(first)).toBeLessThan(publishedAt(second));
    expect(done.map((video) => video.status)).toEqual(['ready', 'ready']);
    // The killed attempts' scratch (a source copy and partial output each) is gone, and the finished attempts'
    // own once their worker has tidied up (just after the video turns ready).
    await waitFor(async () => (await readdir(scratch).catch(() => [])).length === 0, 15_000, 'the scratch directories to be removed').catch(
      async (error: Error) => {
        throw new Error(`${error.message}: ${(await readdir(scratch).catch(() => [])).join(', ')}`);
      },
    );
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  }, 300_000);

  it('a SIGTERM waits for ffmpeg to exit, then hands the video back at the front of the queue', async () => {
    const video = await upload('stopped', 10);
    const stopping = startWorker(SLOW);
    await waitFor(
      async () => {
        const current = await getVideo(video);
        return current.status === 'processing' && (current.progress ?? 0) > 0 && (await ffmpegProcessesMentioning(t.dataDir)).length > 0;
      },
      90_000,
      'the worker to be encoding',
    );
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited, stopping.output().slice(-2000)).toBe(0);
    // Nothing is still writing into the scratch directory once the worker has exited.
    expect(await ffmpegProcessesMentioning(t.dataDir)).toEqual([]);
    expect(await readdir(path.join(t.dataDir, 'work')).catch(() => [])).toEqual([]);
    expect((await getVideo(video)).status).toBe('queued');
    expect(await jobsOf(video, 'created')).toEqual([{ priority: 1 }]);
  }, 180_000);
});
