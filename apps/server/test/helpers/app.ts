import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createInfra, type Infra } from '../../src/infra/infra.ts';
import { createServices, type Services } from '../../src/services.ts';
import type { App } from '../../src/http/app-types.ts';
import { startReaper, transcodeJobs } from '../../src/transcoding/transcode.jobs.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './database.ts';

export interface TestApp {
  app: App;
  infra: Infra;
  services: Services;
  config: Config;
  /** Null on embedded defaults. */
  database: TestDatabase | null;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A full API process on real PostgreSQL (fresh database) and real Redis (own key prefix),
 * driven through `app.inject` or, after `app.listen`, over HTTP.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  role: Config['ROLE'] = 'all',
  options: { withWorker?: boolean; database?: TestDatabase; embeddedDefaults?: boolean } = {},
): Promise<TestApp> {
  // On embedded defaults (what `npm start` does): no DATABASE_URL, no REDIS_URL, no S3 settings.
  const database = options.embeddedDefaults ? null : (options.database ?? (await createTestDatabase()));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tube-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...(database
      ? { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL }
      : { EMBEDDED_PG_PORT: String(20_000 + Math.floor(Math.random() * 20_000)) }),
    REDIS_KEY_PREFIX: `tube-test:${randomBytes(4).toString('hex')}:`,
    DATA_DIR: dataDir,
    PORT: '0',
    ROLE: role,
    ...env,
  });
  const infra = await createInfra(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const services = await createServices(infra);
  const app = await buildApp({ infra, services, role });
  await app.ready();
  const stopWorker = options.withWorker ? await startWorker(infra, transcodeJobs(infra)) : null;
  const stopReaper = options.withWorker ? startReaper(infra) : null;
  if (role !== 'worker') services.views.start();
  return {
    app,
    infra,
    services,
    config,
    database,
    dataDir,
    async close() {
      const step = async (name: string, work: () => Promise<unknown> | unknown) => {
        const started = Date.now();
        await work();
        if (process.env.TEST_TIMING) console.log(`close ${name}: ${Date.now() - started} ms`);
      };
      await step('reaper', () => stopReaper?.());
      await step('worker', () => stopWorker?.());
      await step('app', () => app.close());
      await step('views', () => services.views.stop());
      await step('infra', () => infra.close());
      if (database && !options.database) await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Registers a user through the API and returns the tokens. */
export async function registerUser(app: App, name = `user${randomBytes(3).toString('hex')}`, password = 'correct horse') {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username: name, email: `${name}@example.test`, password } });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  return response.json<{ user: { id: string; username: string; channel: { id: string; handle: string } }; accessToken: string; refreshToken: string }>();
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
