import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/media.ts';
import { createUpload, createVideo, patchUpload, tusRequest } from './tus-requests.ts';

const serverDir = path.resolve(import.meta.dirname, '../..');
let t: TestApp;
const children: ReturnType<typeof spawn>[] = [];

/** Another API process on the same database and media directory, as a second machine behind a balancer. */
async function startApiProcess(): Promise<{ url: string; kill(): Promise<void>; output(): string }> {
  const port = 41_000 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      ROLE: 'api',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: t.config.publicUrl,
      LOG_LEVEL: 'warn',
      DATABASE_URL: t.config.DATABASE_URL,
      REDIS_URL: t.config.REDIS_URL,
      REDIS_KEY_PREFIX: t.config.REDIS_KEY_PREFIX,
      DATA_DIR: t.dataDir,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  // Generous: a cold tsx start of the whole server is slow on a loaded machine.
  await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok, 90_000, 'the second API process').catch((error: Error) => {
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    url,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

beforeAll(async () => {
  t = await startTestApp({}, 'api');
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
});

const videoRow = (id: string) =>
  t.infra.db.selectFrom('videos').select(['status', 'source_key', 'source_bytes']).where('id', '=', id).executeTakeFirstOrThrow();

/**
 * Sends the final PATCH of an upload to a second API process and SIGKILLs that process while its completion
 * transaction runs: a row lock held by the test keeps the transaction waiting so the kill lands inside it.
 */
async function killMidCompletion(token: string, videoId: string, bytes: Buffer): Promise<void> {
  await createUpload(t.app, token, videoId, bytes.length);
  expect((await patchUpload(t.app, token, videoId, 0, bytes.subarray(0, 3000))).statusCode).toBe(204);
  const other = await startApiProcess();
  const blocker = new pg.Client({ connectionString: t.config.DATABASE_URL });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM videos WHERE id = $1 FOR UPDATE', [videoId]);
    const finalPatch = fetch(`${other.url}/api/v1/uploads/${videoId}`, {
      method: 'PATCH',
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '3000' },
      body: new Uint8Array(bytes.subarray(3000)),
    }).catch((error: Error) => error);
    // Polled from outside the blocking transaction: inside it, pg_stat_activity would be a frozen snapshot.
    await waitFor(
      async () => {
        const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'update "videos"%'`.execute(t.infra.db);
        return rows[0]!.n > 0;
      },
      20_000,
      'the completion transaction to reach the video row',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${other.output()}`);
    });
    await other.kill();
    expect(await finalPatch).toBeInstanceOf(Error);
  } finally {
    await blocker.query('ROLLBACK');
    await blocker.end();
  }
  // Every byte arrived, but the video was never queued: what a killed node used to leave for good.
  expect(await videoRow(videoId)).toMatchObject({ status: 'awaiting_upload', source_key: null });
}

describe('an upload whose completion was interrupted by a killed API process', () => {
  it('is finished by the next HEAD, on another node: the video is queued with every byte', async () => {
    const { accessToken } = await registerUser(t.app);
    const video = await createVideo(t.app, accessToken);
    const bytes = Buffer.from(Array.from({ length: 8000 }, (_, i) => (i * 7) % 256));
    await killMidCompletion(accessToken, video, bytes);

    const head = await tusRequest(t.app, 'HEAD', `/api/v1/uploads/${video}`, accessToken);
    expect(head.statusCode).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(bytes.length));
    expect(await videoRow(video)).toEqual({ status: 'queued', source_key: `uploads/${video}`, source_bytes: bytes.length });
    expect(await readFile(path.join(t.config.mediaDir, 'uploads', video))).toEqual(bytes);
    // The job was enqueued with the status change.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pgboss.job WHERE data->>'videoId' = ${video}`.execute(t.infra.db);
    expect(rows[0]!.n).toBe(1);
  }, 180_000);

  it('is finished by the periodic sweep of any node when the client never comes back', async () => {
    const { accessToken } = await registerUser(t.app);
    const video = await createVideo(t.app, accessToken);
    const bytes = Buffer.alloc(6000, 5);
    await killMidCompletion(accessToken, video, bytes);

    const sweeper = await startTestApp({ UPLOAD_SWEEP_INTERVAL: '1', MEDIA_DIR: t.config.mediaDir }, 'api', { database: t.database! });
    try {
      await waitFor(async () => (await videoRow(video)).status === 'queued', 15_000, 'the sweep to queue the video');
      expect(await sweeper.infra.metrics.registry.metrics()).toMatch(/tube_uploads_swept_total\{outcome="completed"\} 1/);
    } finally {
      await sweeper.close();
    }
    expect(await readFile(path.join(t.config.mediaDir, 'uploads', video))).toEqual(bytes);
  }, 180_000);
});

describe('an abandoned upload on the shared media directory (fs)', () => {
  it('is kept until it expires, then the sweep removes its file and state and the video can be uploaded again', async () => {
    const { accessToken } = await registerUser(t.app);
    const video = await createVideo(t.app, accessToken);
    await createUpload(t.app, accessToken, video, 5000);
    expect((await patchUpload(t.app, accessToken, video, 0, Buffer.alloc(2000, 4))).statusCode).toBe(204);
    const file = path.join(t.config.mediaDir, 'uploads', video);
    const sweeper = t.services.uploads;

    expect((await sweeper.sweep()).removed).toBe(0);
    expect(existsSync(file)).toBe(true);
    await t.infra.db
      .updateTable('uploads')
      .set({ created_at: new Date(Date.now() - (t.config.UPLOAD_EXPIRY_SECONDS + 60) * 1000) })
      .where('video_id', '=', video)
      .execute();
    // Expired: tus says so before the sweep has run...
    expect((await tusRequest(t.app, 'HEAD', `/api/v1/uploads/${video}`, accessToken)).statusCode).toBe(410);
    // ...and the sweep removes it.
    expect((await sweeper.sweep()).removed).toBe(1);
    expect(existsSync(file)).toBe(false);
    expect(await t.infra.db.selectFrom('uploads').select('video_id').where('video_id', '=', video).executeTakeFirst()).toBeUndefined();
    expect((await tusRequest(t.app, 'HEAD', `/api/v1/uploads/${video}`, accessToken)).statusCode).toBe(404);
    expect((await createUpload(t.app, accessToken, video, 3)).statusCode).toBe(201);
    expect((await patchUpload(t.app, accessToken, video, 0, Buffer.from('abc'))).statusCode).toBe(204);
    expect(await videoRow(video)).toEqual({ status: 'queued', source_key: `uploads/${video}`, source_bytes: 3 });
  });
});
