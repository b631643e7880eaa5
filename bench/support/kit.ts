/**
 * Shared pieces of the HTTP benchmarks: a load run in a child process, server-side CPU accounting,
 * an API process built like the real one (with a cache wrapper that can count or force misses),
 * and table formatting.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../apps/server/src/config.ts';
import type { Cache } from '../../apps/server/src/infra/cache/cache.ts';
import type { Infra } from '../../apps/server/src/infra/infra.ts';
import { createRuntime } from '../../apps/server/src/runtime.ts';
import type { App } from '../../apps/server/src/http/app-types.ts';
import { TEST_REDIS_URL, type TestDatabase } from '../../apps/server/test/helpers/database.ts';
import type { ClientResult, LoadSpec } from './load-client.ts';

const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-client.ts');

export interface LoadSettings {
  connections: number;
  pipelining: number;
  /** Measured seconds per pass. */
  durationSeconds: number;
  /** Unmeasured seconds before every pass (connections opened, JIT and caches warm). */
  warmupSeconds: number;
  /** Passes per scenario; scenarios are interleaved, one pass each per round, in alternating order. */
  rounds: number;
}

/** Same settings for every scenario of a run; BENCH_DURATION / BENCH_CONNECTIONS / BENCH_WARMUP / BENCH_ROUNDS override. */
export function loadSettingsFromEnv(defaults: Omit<LoadSettings, 'pipelining'>): LoadSettings {
  const num = (name: string, fallback: number) => {
    const value = process.env[name];
    return value === undefined || value === '' ? fallback : Number(value);
  };
  return {
    connections: num('BENCH_CONNECTIONS', defaults.connections),
    pipelining: 1,
    durationSeconds: num('BENCH_DURATION', defaults.durationSeconds),
    warmupSeconds: num('BENCH_WARMUP', defaults.warmupSeconds),
    rounds: Math.max(1, Math.round(num('BENCH_ROUNDS', defaults.rounds))),
  };
}

export interface LoadResult extends ClientResult {
  name: string;
  requestsPerSecond: number;
  megabytesPerSecond: number;
  bytesPerResponse: number;
  /** CPU seconds the server used during the measured pass (its own process only), when sampled. */
  serverCpuSeconds: number | null;
  /** Event-loop utilisation of this process's main thread during the measured pass (in-process servers only). */
  eventLoopUtilisation: number | null;
}

/** Reads CPU seconds (user + system) used so far by the server being measured. */
export type CpuSampler = () => Promise<number>;

/** This process (all its threads, including libuv's pool), which is where in-process servers run. */
export const ownProcessCpu: CpuSampler = async () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/** Another process, from /proc/<pid>/stat (utime + stime, in clock ticks of 1/100 s on Linux). */
export function childProcessCpu(pid: number): CpuSampler {
  return async () => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
}

/**
 * Runs autocannon in a child process against `baseUrl` + `paths` (round-robin per connection):
 * an unmeasured warm-up, then the measured pass, during which the server's CPU is sampled.
 */
export async function runLoad(
  name: string,
  target: { baseUrl: string; paths: string[]; randomPaths?: boolean; headers?: Record<string, string>; client?: LoadSpec['client'] },
  settings: LoadSettings,
  serverCpu: CpuSampler | null,
  inProcessServer: boolean,
): Promise<LoadResult> {
  const spec: LoadSpec = {
    url: target.baseUrl,
    paths: target.paths,
    connections: settings.connections,
    pipelining: settings.pipelining,
    durationSeconds: settings.durationSeconds,
    warmupSeconds: settings.warmupSeconds,
  };
  if (target.headers) spec.headers = target.headers;
  if (target.client) spec.client = target.client;
  if (target.randomPaths) spec.randomPaths = true;
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENT], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify(spec));
  let buffered = '';
  let cpuAtStart: Promise<number> | null = null;
  let eluAtStart: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  let result: Promise<LoadResult> | null = null;

  const finish = async (finished: ClientResult, elu: number | null): Promise<LoadResult> => {
    const cpuAtEnd = serverCpu ? await serverCpu() : null;
    const cpuStart = cpuAtStart ? await cpuAtStart : null;
    const seconds = finished.durationSeconds;
    return {
      ...finished,
      name,
      requestsPerSecond: finished.ok2xx / seconds,
      megabytesPerSecond: finished.bytes / seconds / 1e6,
      bytesPerResponse: finished.requests > 0 ? finished.bytes / finished.requests : 0,
      serverCpuSeconds: cpuAtEnd !== null && cpuStart !== null ? cpuAtEnd - cpuStart : null,
      eventLoopUtilisation: elu,
    };
  };

  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const message = JSON.parse(line) as { event: 'start' } | ClientResult;
        if (message.event === 'start') {
          eluAtStart = inProcessServer ? performance.eventLoopUtilization() : null;
          cpuAtStart = serverCpu ? serverCpu() : null;
        } else {
          const elu = eluAtStart ? performance.eventLoopUtilization(eluAtStart).utilization : null;
          result = finish(message, elu);
          result.catch(() => undefined);
        }
      }
    });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`load client exited with ${code}`))));
  });
  // Assigned in the stdout callback, which TypeScript's narrowing does not see.
  const reported = result as Promise<LoadResult> | null;
  if (!reported) throw new Error('load client reported no result');
  const done = await reported;
  if (done.errors > 0 || done.non2xx > 0) {
    throw new Error(`${name}: ${done.non2xx} non-2xx responses and ${done.errors} errors (${done.timeouts} timeouts); the measurement would be meaningless`);
  }
  return done;
}

/**
 * Wraps a cache to count `video:` look-ups and, with `alwaysMiss`, to discard what they find: every
 * request then pays the real miss path (the cache GET round trip, the database query, building the
 * response and the cache SET), which is what a cold cache costs, without racing deletions.
 */
export class CountingCache implements Cache {
  readonly driver: Cache['driver'];
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: Cache,
    private readonly alwaysMiss: boolean,
    private readonly counted = /^video:/,
  ) {
    this.driver = inner.driver;
  }

  async get(key: string): Promise<string | null> {
    const value = await this.inner.get(key);
    if (!this.counted.test(key)) return value;
    if (value === null || this.alwaysMiss) this.misses++;
    else this.hits++;
    return this.alwaysMiss ? null : value;
  }
  set(key: string, value: string, ttlSeconds: number) {
    return this.inner.set(key, value, ttlSeconds);
  }
  setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return this.inner.setIfAbsent(key, value, ttlSeconds);
  }
  del(...keys: string[]) {
    return this.inner.del(...keys);
  }
  hit(key: string, windowSeconds: number, amount?: number) {
    return this.inner.hit(key, windowSeconds, amount);
  }
  addToCounter(hashKey: string, field: string, amount: number) {
    return this.inner.addToCounter(hashKey, field, amount);
  }
  drainCounter(hashKey: string) {
    return this.inner.drainCounter(hashKey);
  }
  onDeleted(listener: (keys: string[]) => void) {
    this.inner.onDeleted(listener);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
  resetCounts(): void {
    this.hits = 0;
    this.misses = 0;
  }
}

export interface BenchApi {
  app: App;
  infra: Infra;
  cache: CountingCache;
  config: Config;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * An `api`-role process on an existing database, built by the same `createRuntime` as `main.ts` with the
 * cache wrapped before the services and routes are built. `logger` defaults to a silent one.
 */
export async function startBenchApi(options: {
  database: TestDatabase;
  cache: 'redis' | 'memory';
  alwaysMiss: boolean;
  env?: Record<string, string>;
  logger?: Logger;
  /** Which cache keys the wrapper counts (and, with alwaysMiss, makes miss); default `video:<id>`. */
  counted?: RegExp;
}): Promise<BenchApi> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: options.logger ? options.logger.level : 'silent',
    DATABASE_URL: options.database.url,
    ...(options.cache === 'redis' ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `tube-bench:${randomBytes(4).toString('hex')}:` } : {}),
    DATA_DIR: dataDir,
    PORT: '0',
    ROLE: 'api',
    // Several deliberately different API processes (Redis and in-process caches) share the benchmark's database.
    FLEET_CHECKS: 'false',
    ...options.env,
  });
  let cache: CountingCache | null = null;
  const runtime = await createRuntime(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    worker: false,
    listen: { port: 0, host: '127.0.0.1' },
    wrapCache: (real) => {
      cache = new CountingCache(real, options.alwaysMiss, options.counted);
      return cache;
    },
  });
  await runtime.start();
  const { app, infra } = runtime;
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  // Assigned in the wrapCache callback, which TypeScript's narrowing does not see.
  const counting = cache as CountingCache | null;
  if (!counting) throw new Error('the runtime did not wrap the cache');
  return {
    app,
    infra,
    cache: counting,
    config,
    baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Lines describing the machine and the load settings, for the report header. */
export function machineLine(settings: LoadSettings, loadAverages: { start: number; end: number }, extra: string[] = [], generator = 'autocannon'): string {
  const cpu = cpus();
  return [
    `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}; Node ${process.version}; 1-min load average ${loadAverages.start.toFixed(1)} at start, ${loadAverages.end.toFixed(1)} at end (the machine is shared).`,
    ...extra,
    `Load: ${generator} in a separate process, ${settings.connections} connections, pipelining ${settings.pipelining}; every scenario gets ${settings.rounds} passes of ${settings.durationSeconds} s measured (each after ${settings.warmupSeconds} s unmeasured warm-up), interleaved with the other scenarios round by round in alternating order, so slow changes in machine load hit all scenarios alike. Figures are medians over the passes; ratios are computed within each round against that round's baseline, then the median is taken.`,
  ].join('  \n');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Scenario order for round `index`: forwards, backwards, forwards… */
export function roundOrder<T>(items: T[], index: number): T[] {
  return index % 2 === 0 ? [...items] : [...items].reverse();
}

/** "median (min–max)" of per-round ratios. */
export function ratioWithSpread(values: number[]): string {
  if (values.length === 1) return ratio(values[0]!);
  return `${ratio(median(values))} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`;
}

export const fixed = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ratio = (value: number) => `${value.toFixed(2)}×`;
/** autocannon reports latency in whole milliseconds. */
export const wholeMs = (value: number) => (value < 1 ? '<1' : fixed(value));

export function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(rightAligned.map((right) => (right ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** Prints a finished report and, with `--write`, stores it as `bench/results/<name>.md`. */
export async function emitReport(report: string, name: string): Promise<void> {
  process.stdout.write(`\n${report}`);
  if (!process.argv.includes('--write')) return;
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results', `${name}.md`);
  await writeFile(file, report);
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), file)}\n`);
}
