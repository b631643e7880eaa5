import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { makeVideo, tusUpload, waitFor } from '../helpers/media.ts';

const serverDir = path.resolve(import.meta.dirname, '../..');
let t: TestApp;
let base: string;
let dir: string;
const workers: ReturnType<typeof spawn>[] = [];

/** A separate worker process on the same database and media directory, as another machine would be. */
function startWorkerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      ROLE: 'worker',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: t.config.DATABASE_URL,
      REDIS_URL: t.config.REDIS_URL,
      REDIS_KEY_PREFIX: t.config.REDIS_KEY_PREFIX,
      DATA_DIR: t.dataDir,
      JOB_LEASE_SECONDS: '10',
      SEGMENT_SECONDS: '1',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  workers.push(child);
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-crash-'));
  t = await startTestApp({ JOB_LEASE_SECONDS: '10' }, 'api');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a worker that dies mid-transcode', () => {
  it('has its video picked up again by another worker once its heartbeat stops', async () => {
    const { accessToken } = await registerUser(t.app);
    const source = await makeVideo(dir, 'long.mp4', { width: 854, height: 480, seconds: 12 });
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(accessToken), payload: { title: 'Crash test' } })).json();
    await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: accessToken, videoId: created.id });

    // A deliberately slow first worker, so there is time to kill it mid-way.
    const doomed = startWorkerProcess({ X264_PRESET: 'slower', TRANSCODE_MAX_HEIGHT: '480' });
    const getVideo = async () => (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(accessToken) })).json<Video>();
    const midway = await waitFor(async () => {
      const video = await getVideo();
      return video.status === 'processing' && (video.progress ?? 0) > 0.05 ? video : undefined;
    }, 60_000, 'the first worker to report progress').catch((error: Error) => {
      throw new Error(`${error.message}\n${doomed.output()}`);
    });
    expect(midway.progress).toBeLessThan(0.95);
    expect(midway.etaSeconds).toEqual(expect.any(Number));
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect((await getVideo()).status).toBe('processing');

    const replacement = startWorkerProcess({ X264_PRESET: 'ultrafast', TRANSCODE_MAX_HEIGHT: '240' });
    const finished = await waitFor(async () => {
      const video = await getVideo();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    }, 90_000, 'the replacement worker to finish');
    expect(finished.status, replacement.output()).toBe('ready');
    expect(replacement.output()).toContain('requeued videos whose worker stopped responding');
    const row = await t.infra.db.selectFrom('videos').select(['attempts', 'worker_token']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ attempts: 2, worker_token: null });
    // The dead worker's scratch files are not served; only the published version is.
    const hls = await fetch(`${base}${finished.playback!.hls}`);
    expect(hls.status).toBe(200);
    replacement.child.kill('SIGTERM');
    expect(await replacement.exited).toBe(0);
  }, 180_000);

  it('hands its video straight back to the queue when it is stopped with SIGTERM', async () => {
    const { accessToken } = await registerUser(t.app);
    const source = await makeVideo(dir, 'stopped.mp4', { width: 854, height: 480, seconds: 12 });
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(accessToken), payload: { title: 'Graceful' } })).json();
    await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: accessToken, videoId: created.id });
    const getVideo = async () => (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(accessToken) })).json<Video>();

    const stopping = startWorkerProcess({ X264_PRESET: 'slower', TRANSCODE_MAX_HEIGHT: '480' });
    await waitFor(async () => stopping.output().includes('Tube is running'), 30_000, 'the worker to start');
    await waitFor(async () => {
      const video = await getVideo();
      return video.status === 'processing' && (video.progress ?? 0) > 0.05 ? video : undefined;
    }, 60_000, 'the worker to report progress');
    const signalledAt = Date.now();
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited, stopping.output()).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(stopping.output()).toContain('video handed back to the queue');
    // Back in the queue at once, with the interrupted attempt not counted; no waiting for the lease.
    expect((await getVideo()).status).toBe('queued');
    const row = await t.infra.db.selectFrom('videos').select(['attempts']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(0);

    const next = startWorkerProcess({ X264_PRESET: 'ultrafast', TRANSCODE_MAX_HEIGHT: '240' });
    const finished = await waitFor(async () => {
      const video = await getVideo();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    }, 60_000, 'the next worker to finish');
    expect(finished.status, next.output()).toBe('ready');
    expect(next.output()).not.toContain('requeued videos whose worker stopped responding');
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 180_000);
});
