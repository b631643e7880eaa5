import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestApp } from './app.ts';
import { TEST_ADMIN_URL } from './database.ts';

/** Test servers this suite starts listen in 43000–43999 (the range reserved for these tests). */
export function portInRange(offset: number): number {
  return 43_000 + ((offset + (process.pid % 97) * 10) % 1000);
}

/**
 * A Redis server of the test's own, so the test can kill, pause and restart it without touching the
 * shared Redis other test files use. No persistence: a restart comes back empty, as a lost cache node would.
 */
export class RedisServer {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    for (let tries = 0; ; tries++) {
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        if (tries > 50 || child.exitCode !== null) throw new Error(`redis-server did not start on port ${this.port}`);
        await sleep(100);
      }
    }
  }

  /** kill -9: connections drop at once. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: connections stay open but nothing answers, the worst case for clients without timeouts. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }
}

export interface TubeProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the HTTP port once the process logged that it is running. */
  running(timeoutMs?: number): Promise<number>;
}

const serverDir = path.resolve(import.meta.dirname, '../..');

/** A real Tube process (`node --import tsx src/main.ts`) with the given environment. */
export function spawnTube(env: Record<string, string | undefined>): TubeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Fault tests drive many uploads and writes from one account and one address; the limits have tests of their own.
      RATE_LIMIT_REGISTRATIONS_PER_IP: '100000',
      RATE_LIMIT_WRITES_PER_IP: '1000000',
      RATE_LIMIT_UPLOADS_PER_ACCOUNT: '100000',
      RATE_LIMIT_WRITES_PER_ACCOUNT: '1000000',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async running(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match && output.includes('Tube is running')) return Number(match[1]);
        if (child.exitCode !== null) throw new Error(`Tube exited with ${child.exitCode} before it was running:\n${output.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`Tube did not start within ${timeoutMs} ms:\n${output.slice(-3000)}`);
        await sleep(100);
      }
    },
  };
}

/**
 * A `ROLE=worker` process of the fleet `app` belongs to: its database, Redis key prefix and media storage, with
 * `dataDir` as its scratch disk (the app's own by default: another process on the same machine; a directory of
 * its own: another machine that shares only storage and the database).
 */
export function spawnFleetWorker(app: Pick<TestApp, 'config' | 'dataDir'>, env: Record<string, string | undefined> = {}, dataDir = app.dataDir): TubeProcess {
  return spawnTube({
    ROLE: 'worker',
    DATABASE_URL: app.config.DATABASE_URL,
    REDIS_URL: app.config.REDIS_URL,
    REDIS_KEY_PREFIX: app.config.REDIS_KEY_PREFIX,
    DATA_DIR: dataDir,
    MEDIA_DIR: app.config.mediaDir,
    ...env,
  });
}

/** Pids of running ffmpeg/ffprobe processes whose command line mentions `needle` (e.g. a test's data directory). */
export async function ffmpegProcessesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z') continue;
      if (/ff(mpeg|probe)$/.test(cmdline[0] ?? '') && cmdline.some((arg) => arg.includes(needle))) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/**
 * A TCP proxy in front of PostgreSQL that lets every connection complete its start-up handshake (so no connect
 * timeout fires) but holds everything a client sends afterwards until `release()`. Processes that reach the
 * database at different moments then all send their first statements at the same instant: the worst case of a
 * fleet cold-starting together, reproduced on demand instead of by luck.
 */
export class HoldingProxy {
  private server: net.Server | null = null;
  private released = false;
  private readonly waiting: (() => void)[] = [];
  connections = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<number> {
    this.server = net.createServer((client) => {
      this.connections++;
      const upstream = net.connect(this.target.port, this.target.host);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.pipe(client);
      let first = true;
      const held: Buffer[] = [];
      client.on('data', (chunk: Buffer) => {
        if (first || this.released) {
          first = false;
          upstream.write(chunk);
          return;
        }
        if (held.length === 0)
          this.waiting.push(() => {
            for (const c of held.splice(0)) upstream.write(c);
          });
        held.push(chunk);
      });
      client.on('end', () => upstream.end());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  release(): void {
    this.released = true;
    for (const flush of this.waiting.splice(0)) flush();
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * The fault files each run several Tube processes and ffmpeg; two at once on a 2-core machine starve each other
 * (and every timing in them). Each takes this lock for its whole run, so they run one after another while
 * lighter files keep running beside them. A PostgreSQL advisory lock: shared by every vitest worker process, and
 * released by the server if a worker dies holding it.
 */
export async function holdHeavyTestLock(): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  await client.query('SELECT pg_advisory_lock(7420113999)');
  return async () => {
    await client.query('SELECT pg_advisory_unlock(7420113999)').catch(() => undefined);
    await client.end().catch(() => undefined);
  };
}
