import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { TRANSCODE_QUEUE } from '../../src/videos/video.jobs.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), 'tube-runtime-'));
});
afterAll(async () => {
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function fleetRows(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM fleet_nodes');
    return Number(rows[0]!.count);
  } finally {
    await client.end();
  }
}

describe('createRuntime', () => {
  let runtime: Runtime;

  it('builds infrastructure, services and app but starts none of the process’s own work', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: '0', ROLE: 'api' });
    runtime = await createRuntime(config, { logger: pino({ level: 'silent' }), listen: false });
    expect(await fleetRows()).toBe(0);
    expect(await runtime.infra.queue.getQueue(TRANSCODE_QUEUE)).toBeNull();
    // The fleet's signing secret is only known after start(); signing before that is a wiring bug, not a random key.
    expect(() => runtime.services.mediaUrls.signedUrl({ prefix: 'videos/x/y', linkGeneration: 0 }, 'master.m3u8')).toThrow(/signing secret/);
  });

  it('start() creates the queues, hands over the signing secret and joins the fleet; stop() leaves it', async () => {
    await runtime.start();
    expect(await fleetRows()).toBe(1);
    expect(await runtime.infra.queue.getQueue(TRANSCODE_QUEUE)).not.toBeNull();
    const { url } = runtime.services.mediaUrls.signedUrl({ prefix: 'videos/x/y', linkGeneration: 0 }, 'master.m3u8');
    const token = /\/media\/t\/([^/]+)\//.exec(url)![1]!;
    expect(runtime.services.mediaUrls.verify(token, { prefix: 'videos/x/y', linkGeneration: 0 })).toBe('ok');
    expect((await runtime.app.inject({ url: '/healthz' })).statusCode).toBe(200);

    await runtime.stop();
    expect(await fleetRows()).toBe(0);
    // Stopping again is harmless (signal handlers and test clean-up may both call it).
    await runtime.stop();
  });
});
