import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, REDIS_AVAILABLE, TEST_REDIS_URL } from '../helpers/database.ts';
import { holdHeavyTestLock, HoldingProxy, spawnTube, type TubeProcess } from '../helpers/faults.ts';
import { waitFor } from '../helpers/media.ts';

/**
 * A fleet started at once on an empty database: every process migrates, starts pg-boss (its own schema), creates
 * queues, loads signing keys and promotes admins at the same moment. Before start-up was serialised, at least one
 * of 4 such processes regularly died with "deadlock detected".
 */
const FLEET = 10;
const ROUNDS = Number(process.env.COLD_START_ROUNDS ?? 5);
const running: TubeProcess[] = [];
let releaseHeavyLock: (() => Promise<void>) | undefined;

beforeAll(async () => {
  releaseHeavyLock = await holdHeavyTestLock();
}, 900_000);
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await releaseHeavyLock?.();
});

describe(`${FLEET} processes cold-started together on a fresh database`, () => {
  it(`all come up, ${ROUNDS} times in a row`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const database = await createTestDatabase();
      const dataDir = await mkdtemp(path.join(tmpdir(), 'tube-cold-start-'));
      // Processes load at different speeds; the proxy makes their first statements reach PostgreSQL together.
      const direct = new URL(database.url);
      const proxy = new HoldingProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      const viaProxy = new URL(database.url);
      viaProxy.port = String(await proxy.listen());
      try {
        const fleet = Array.from({ length: FLEET }, (_, index) =>
          spawnTube({
            DATABASE_URL: viaProxy.toString(),
            DATABASE_POOL_SIZE: '2',
            DATA_DIR: dataDir,
            ROLE: index % 3 === 0 ? 'worker' : index % 3 === 1 ? 'api' : 'all',
            MEDIA_SIGNING_SECRET: 'a-secret-shared-by-the-fleet',
            ADMIN_USERNAMES: 'admin,root',
            // A fleet shares one Redis (the fleet check refuses processes without it once others run).
            ...(REDIS_AVAILABLE ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `tube-cold-start:${database.name}:` } : { FLEET_CHECKS: 'false' }),
          }),
        );
        running.push(...fleet);
        const started = Date.now();
        await waitFor(async () => proxy.connections >= FLEET || fleet.some((p) => p.child.exitCode !== null), 300_000, 'every process to reach the database');
        proxy.release();
        const ports = await Promise.all(fleet.map((p) => p.running(300_000).catch((error: Error) => error)));
        if (process.env.TEST_TIMING) console.log(`round ${round}: up after ${Date.now() - started} ms`);
        const failures = ports.filter((port): port is Error => port instanceof Error);
        expect(
          failures.map((e) => e.message.slice(0, 2000)),
          `round ${round}`,
        ).toEqual([]);
        for (const port of ports) expect((await fetch(`http://127.0.0.1:${port as number}/healthz`)).status).toBe(200);
        for (const p of fleet) p.child.kill('SIGTERM');
        const codes = await Promise.all(fleet.map((p) => p.exited));
        if (process.env.TEST_TIMING) console.log(`round ${round}: stopped after ${Date.now() - started} ms`);
        expect(codes, `round ${round}`).toEqual(Array(FLEET).fill(0));
      } finally {
        for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
        proxy.release();
        await proxy.close();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  }, 900_000);
});
