import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL every test talks to: a real server, chosen once for the run by `test/global-setup.ts`
 * (TEST_DATABASE_URL, the one on 127.0.0.1:5432, or an embedded one it starts).
 */
export const TEST_ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** The Redis the tests use; the global set-up leaves TEST_REDIS_URL empty when no Redis can be had at all. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const REDIS_AVAILABLE = process.env.TEST_REDIS_URL !== '';
/** Why Redis-specific tests are skipped on this machine, for `describe.skipIf(...)` titles and logs. */
export const NO_REDIS_REASON = 'skipped: no Redis on this machine (see test/global-setup.ts); set TEST_REDIS_URL or install redis-server';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file, dropped afterwards, so files can run in parallel. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tube_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
