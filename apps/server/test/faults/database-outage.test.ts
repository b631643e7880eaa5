import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { createTestDatabase, TEST_ADMIN_URL, TEST_REDIS_URL, type TestDatabase } from '../helpers/database.ts';
import { FAST_TRANSCODE_ENV, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { holdHeavyTestLock, spawnTube, type TubeProcess } from '../helpers/faults.ts';

/**
 * Connections cut under load (`pg_terminate_backend` on every connection of the database, over and over, while
 * requests, transactions, heartbeats and the queue run) must not end any process: affected requests answer 503,
 * and everything works again as soon as the cuts stop.
 */
let database: TestDatabase;
let dataDir: string;
let api: TubeProcess;
let worker: TubeProcess;
let base: string;
const admin = new pg.Client({ connectionString: TEST_ADMIN_URL });
let releaseHeavyLock: (() => Promise<void>) | undefined;

beforeAll(async () => {
  releaseHeavyLock = await holdHeavyTestLock();
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'tube-db-outage-'));
  await admin.connect();
  const env = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `tube-test:${randomBytes(4).toString('hex')}:`,
    DATA_DIR: dataDir,
    MEDIA_SIGNING_SECRET: 'a-secret-shared-by-the-fleet',
    JOB_LEASE_SECONDS: '10',
    ...FAST_TRANSCODE_ENV,
  };
  api = spawnTube({ ...env, ROLE: 'api' });
  base = `http://127.0.0.1:${await api.running()}`;
  worker = spawnTube({ ...env, ROLE: 'worker' });
  await worker.running();
}, 900_000);
afterAll(async () => {
  for (const p of [api, worker]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
  await admin.end();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
  await releaseHeavyLock?.();
});

async function terminateAllConnections(): Promise<number> {
  const result = await admin.query('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
    database.name,
  ]);
  return result.rows[0].n as number;
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

describe('PostgreSQL connections cut under load', () => {
  it('kill no process, answer 503 (never 500) meanwhile, and leave everything working afterwards', async () => {
    const register = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'survivor', email: 'survivor@example.test', password: 'correct horse' }),
    });
    expect(register.status).toBe(201);
    const { accessToken } = await json<{ accessToken: string }>(register);
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const source = await makeVideo(dataDir, 'clip.mp4', { width: 640, height: 360, seconds: 6 });
    const createVideo = async (title: string) =>
      json<{ id: string }>(await fetch(`${base}/api/v1/videos`, { method: 'POST', headers: auth, body: JSON.stringify({ title }) }));
    const getVideo = async (id: string) => json<Video>(await fetch(`${base}/api/v1/videos/${id}`, { headers: auth }));
    const first = await createVideo('Before the cuts');
    await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: accessToken, videoId: first.id });

    // Requests of every kind (reads, writes in a transaction, sign-ups) while every connection is cut repeatedly.
    const statuses: number[] = [];
    let cutting = true;
    const traffic = (async () => {
      for (let i = 0; cutting; i++) {
        const requests = [
          fetch(`${base}/api/v1/videos/${first.id}`, { headers: auth }),
          fetch(`${base}/api/v1/videos`, { method: 'POST', headers: auth, body: JSON.stringify({ title: `During ${i}` }) }),
          fetch(`${base}/api/v1/auth/register`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: `during${i}`, email: `during${i}@example.test`, password: 'correct horse' }),
          }),
        ];
        for (const response of await Promise.all(requests.map((r) => r.catch(() => null)))) {
          statuses.push(response?.status ?? 0);
          if (response && response.status >= 500) {
            const body = await json<{ error: { code: string } }>(response);
            expect(body.error.code).toBe('database_unavailable');
          } else await response?.arrayBuffer();
        }
      }
    })();
    let cuts = 0;
    for (let round = 0; round < 12; round++) {
      cuts += await terminateAllConnections();
      await sleep(250);
    }
    cutting = false;
    await traffic;

    expect(cuts).toBeGreaterThan(12);
    expect(api.child.exitCode, api.output().slice(-3000)).toBeNull();
    expect(worker.child.exitCode, worker.output().slice(-3000)).toBeNull();
    expect(statuses.filter((s) => s === 500 || s === 0)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);

    // Once the cuts stop: requests succeed, the queue still runs, videos reach ready.
    await waitFor(async () => (await fetch(`${base}/api/v1/videos/${first.id}`, { headers: auth })).status === 200, 10_000, 'the API to answer again');
    const done = await waitFor(
      async () => {
        const video = await getVideo(first.id);
        return video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      60_000,
      'the first video to finish',
    );
    expect(done.status, worker.output().slice(-3000)).toBe('ready');
    const second = await createVideo('After the cuts');
    await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: accessToken, videoId: second.id });
    const secondDone = await waitFor(
      async () => {
        const video = await getVideo(second.id);
        return video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      60_000,
      'the second video to finish',
    );
    expect(secondDone.status).toBe('ready');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  }, 150_000);
});
