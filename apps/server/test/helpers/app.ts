import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Infra } from '../../src/infra/infra.ts';
import type { Repositories, Services } from '../../src/services.ts';
import type { App } from '../../src/http/app-types.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { createTestDatabase, REDIS_AVAILABLE, TEST_REDIS_URL, type TestDatabase } from './database.ts';

export interface TestApp {
  app: App;
  infra: Infra;
  services: Services;
  /** The repositories the services were given, to look under them. */
  repositories: Repositories;
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
      ? { DATABASE_URL: database.url, ...(REDIS_AVAILABLE ? { REDIS_URL: TEST_REDIS_URL } : {}) }
      : { EMBEDDED_PG_PORT: String(20_000 + Math.floor(Math.random() * 20_000)) }),
    // Apps on one database are one fleet, so they share the Redis key prefix as real nodes must.
    REDIS_KEY_PREFIX: `tube-test:${database?.name ?? randomBytes(4).toString('hex')}:`,
    DATA_DIR: dataDir,
    PORT: '0',
    ROLE: role,
    // Tests register many users and write a lot from one address; the rate-limit tests set their own limits.
    RATE_LIMIT_REGISTRATIONS_PER_IP: '100000',
    RATE_LIMIT_WRITES_PER_IP: '1000000',
    ...env,
  });
  let runtime: Runtime;
  try {
    runtime = await createRuntime(config, {
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      worker: options.withWorker ?? false,
      listen: false,
    });
    await runtime.start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { app, infra, services, repositories } = runtime;
  return {
    app,
    infra,
    services,
    repositories,
    config,
    database,
    dataDir,
    async close() {
      await runtime.stop();
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
