import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type PgBoss from 'pg-boss';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQueue } from '../../src/infra/queue/queue.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

interface LogLine {
  level: number;
  msg: string;
}

/** A pino logger whose lines are kept, so the tests can check that nothing was logged as an error. */
function collectingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const workOptions = { batchSize: 1, pollingIntervalSeconds: 0.5 };
const PINO_ERROR_LEVEL = 50;

describe('pg-boss queue', () => {
  let database: TestDatabase;
  let boss: PgBoss;
  let logLines: LogLine[];
  /** A plain client for looking at pg-boss's tables and at who is connected, from outside the queue. */
  let observer: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    const { logger, lines } = collectingLogger();
    logLines = lines;
    boss = await startQueue(database.url, logger);
    observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true });
    await observer?.end();
    await database?.drop();
  });

  it('delivers a sent job to a worker and records it as completed with its output', async () => {
    await boss.createQueue('transcode-test', { name: 'transcode-test' });
    const received: { videoId: string }[] = [];
    await boss.work<{ videoId: string }>('transcode-test', workOptions, async ([job]) => {
      received.push(job!.data);
      return { renditions: 3 };
    });
    const jobId = await boss.send('transcode-test', { videoId: 'v-123' });
    expect(jobId).toEqual(expect.any(String));

    const job = await eventually(async () => {
      const current = await boss.getJobById<{ videoId: string }>('transcode-test', jobId!);
      return current?.state === 'completed' ? current : undefined;
    });
    expect(received).toEqual([{ videoId: 'v-123' }]);
    expect(job.data).toEqual({ videoId: 'v-123' });
    expect(job.output).toEqual({ renditions: 3 });
    expect(job.retryCount).toBe(0);
  });

  it('retries a job whose handler throws, then marks it failed with the error stored', async () => {
    await boss.createQueue('failing-test', { name: 'failing-test', retryLimit: 1, retryDelay: 1 });
    const attempts: number[] = [];
    await boss.work('failing-test', workOptions, async () => {
      attempts.push(Date.now());
      throw new Error(`ffmpeg exited with code 1 (attempt ${attempts.length})`);
    });
    const jobId = await boss.send('failing-test', { videoId: 'v-broken' });

    const job = await eventually(async () => {
      const current = await boss.getJobById('failing-test', jobId!);
      return current?.state === 'failed' ? current : undefined;
    });
    expect(attempts).toHaveLength(2);
    // retryDelay 1: the second attempt waited about a second after the first.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
    expect(job.retryLimit).toBe(1);
    expect(job.retryCount).toBe(1);
    expect(job.output).toMatchObject({ message: 'ffmpeg exited with code 1 (attempt 2)' });
  });

  // pg-boss 10 behaviour the code must design around: createQueue has to run before the first send.
  it('drops, without an error, a job sent to a queue that was never created', async () => {
    expect(await boss.send('no-such-queue', { videoId: 'v-lost' })).toBeNull();
    const { rows } = await observer.query<{ jobs: number }>("SELECT count(*)::int AS jobs FROM pgboss.job WHERE name = 'no-such-queue'");
    expect(rows).toEqual([{ jobs: 0 }]);
  });

  it('stops gracefully: lets the active job finish, closes every connection, logs no error', async () => {
    await boss.createQueue('slow-test', { name: 'slow-test' });
    let finished = false;
    await boss.work('slow-test', workOptions, async () => {
      await sleep(700);
      finished = true;
    });
    const jobId = await boss.send('slow-test', {});
    await eventually(async () => ((await boss.getJobById('slow-test', jobId!))?.state === 'active' ? true : undefined));

    const stopped = new Promise<void>((resolve) => boss.once('stopped', () => resolve()));
    await boss.stop({ graceful: true, wait: true, timeout: 5000 });
    await stopped;

    expect(finished).toBe(true);
    const { rows: states } = await observer.query<{ state: string }>('SELECT state FROM pgboss.job WHERE id = $1', [jobId]);
    expect(states).toEqual([{ state: 'completed' }]);
    // A backend leaves pg_stat_activity a moment after its client disconnects, so wait for it briefly.
    const otherConnections = async () =>
      (
        await observer.query<{ others: number }>(
          'SELECT count(*)::int AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
      ).rows[0]!.others;
    await eventually(async () => ((await otherConnections()) === 0 ? true : undefined));
    expect(await otherConnections()).toBe(0);
    expect(logLines.filter((line) => line.level >= PINO_ERROR_LEVEL)).toEqual([]);
  });
});
