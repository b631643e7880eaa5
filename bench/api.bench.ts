/**
 * Read API throughput: `GET /api/v1/videos/:id` and `GET /api/v1/videos/:id/playback` with the video cache
 * warm and with every request missing it, against a bare Fastify route returning a static JSON body of the
 * same size (the ceiling for one Node process on this machine), all in one run with the same load settings.
 * A second ceiling serves the same static body from a Fastify instance with every app-wide hook Tube's routes
 * get (request id, security headers, CORS, write limits, metrics, logging: `createHttpServer`), so the cost of
 * those hooks and the cost of the video routes themselves can be told apart.
 *
 *   node --import tsx bench/api.bench.ts            # prints the table
 *   node --import tsx bench/api.bench.ts --write    # also writes bench/results/api.md
 *   BENCH_ROUNDS=1 BENCH_DURATION=2 node --import tsx bench/api.bench.ts   # quick smoke run
 *
 * Scenarios are interleaved: BENCH_ROUNDS rounds (default 3), each running every scenario once for
 * BENCH_DURATION seconds (default 3) after BENCH_WARMUP seconds (default 1), in alternating order; the
 * tables show medians, and ratios are taken within a round against that round's ceiling.
 *
 * How "cold" is made: the API process is built with its cache wrapped (bench/support/kit.ts, CountingCache)
 * so that every `video:<id>` look-up still goes to the real cache (Redis or in-process) but its answer is
 * thrown away. Each request therefore pays the full miss path — cache GET, the PostgreSQL query, building
 * the DTO and playback links, and the cache SET — which is what a request costs after the 30 s TTL expires
 * or after an edit invalidated the entry, with no racing deletions and nothing else changed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { sql } from 'kysely';
import { createDb } from '../apps/server/src/infra/db/database.ts';
import { createHttpServer } from '../apps/server/src/app.ts';
import type { App } from '../apps/server/src/http/app-types.ts';
import type { Playback, Video } from '@tube/shared';
import { registerUser, startTestApp } from '../apps/server/test/helpers/app.ts';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../apps/server/test/helpers/database.ts';
import { FAST_TRANSCODE_ENV, makeVideo } from '../apps/server/test/helpers/media.ts';
import { uploadVideo } from '../apps/server/test/helpers/videos.ts';
import {
  fixed,
  loadSettingsFromEnv,
  machineLine,
  markdownTable,
  median,
  ownProcessCpu,
  ratioWithSpread,
  roundOrder,
  wholeMs,
  runLoad,
  startBenchApi,
  type BenchApi,
  type LoadResult,
  emitReport,
} from './support/kit.ts';

const settings = loadSettingsFromEnv({ connections: 50, durationSeconds: 3, warmupSeconds: 1, rounds: 3 });

interface Scenario {
  label: string;
  cache: string;
  baseUrl: string;
  path: string;
  api: BenchApi | null;
  /** Scenarios with the same pair key are the warm and cold versions of one request. */
  pair?: { key: string; warmth: 'warm' | 'cold' };
  passes: LoadResult[];
  hits: number;
  misses: number;
}

async function expectOk<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Sets up one ready public video through the real pipeline (upload with tus, transcode by the worker). */
async function prepareVideo(database: TestDatabase): Promise<Video> {
  const sourceDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-src-'));
  const setup = await startTestApp({ ...FAST_TRANSCODE_ENV }, 'all', { withWorker: true, database });
  try {
    await setup.app.listen({ port: 0, host: '127.0.0.1' });
    const user = await registerUser(setup.app);
    const file = await makeVideo(sourceDir, 'source.mp4', { seconds: 2 });
    const video = await uploadVideo(setup, user.accessToken, file, {
      title: 'Benchmark video with a title of ordinary length',
      description: 'A two-second synthetic clip used by bench/api.bench.ts.\nSecond line of the description.',
      tags: ['benchmark', 'synthetic', 'tube'],
      visibility: 'public',
    });
    if (video.status !== 'ready') throw new Error(`video did not become ready: ${video.status} ${video.error ?? ''}`);
    return video;
  } finally {
    await setup.close();
    await rm(sourceDir, { recursive: true, force: true });
  }
}

const VIDEO_COPIES = 200;

/** Inserts `count` copies of a ready video's row (same media, new ids) and returns their ids. */
async function copiesOf(database: TestDatabase, videoId: string, count: number): Promise<string[]> {
  const { db, pool } = createDb(database.url, 2);
  try {
    const columns = await sql<{ column_name: string }>`
      SELECT column_name FROM information_schema.columns WHERE table_name = 'videos' AND column_name <> 'id' AND is_generated = 'NEVER'`.execute(db);
    const list = sql.join(columns.rows.map((c) => sql.ref(c.column_name)));
    const inserted = await sql<{ id: string }>`
      INSERT INTO videos (${list}) SELECT ${list} FROM videos, generate_series(1, ${count}) WHERE id = ${videoId} RETURNING id`.execute(db);
    return inserted.rows.map((row) => row.id);
  } finally {
    await db.destroy();
    void pool;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const database = await createTestDatabase();
  const apis: BenchApi[] = [];
  const bare = Fastify({ logger: false });
  const scenarios: Scenario[] = [];
  let ceiling: Scenario | null = null;
  let hooksCeiling: Scenario | null = null;
  let hooked: App | null = null;
  let pgVersion = '?';
  let redisVersion = '?';
  try {
    const video = await prepareVideo(database);
    const videoPath = `/api/v1/videos/${video.id}`;
    const playbackPath = `/api/v1/videos/${video.id}/playback`;

    const videoIds = [video.id, ...(await copiesOf(database, video.id, VIDEO_COPIES - 1))];
    const start = async (cache: 'redis' | 'memory', alwaysMiss: boolean, logger?: Logger, env: Record<string, string> = {}) => {
      // A cold server has no local copies either: every request goes to the shared cache, misses, and loads.
      const localCopies: Record<string, string> = alwaysMiss ? { CACHE_LOCAL_SECONDS: '0' } : {};
      const api = await startBenchApi({ database, cache, alwaysMiss, env: { ...localCopies, ...env }, ...(logger ? { logger } : {}) });
      apis.push(api);
      return api;
    };
    const redisWarm = await start('redis', false);
    const redisCold = await start('redis', true);
    const memoryWarm = await start('memory', false);
    const memoryCold = await start('memory', true);
    // The production default LOG_LEVEL is info: Fastify then logs two JSON lines per request.
    const infoLogger = pino({ level: 'info', base: { role: 'api', pid: process.pid } }, pino.destination({ dest: '/dev/null', sync: true }));
    const redisWarmLogged = await start('redis', false, infoLogger);
    const redisWarmShared = await start('redis', false, undefined, { CACHE_LOCAL_SECONDS: '0' });

    // The ceiling serves the exact video JSON as a static object, so the bodies are the same size.
    const staticBody = await expectOk<unknown>(`${redisWarm.baseUrl}${videoPath}`);
    bare.get('/static', async () => staticBody);
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const bareAddress = bare.server.address();
    if (!bareAddress || typeof bareAddress === 'string') throw new Error('no TCP address');
    const bareUrl = `http://127.0.0.1:${bareAddress.port}`;
    if ((await expectOk<{ id: string }>(`${bareUrl}/static`)).id !== video.id) throw new Error('ceiling route returned the wrong body');
    // The same static route behind every app-wide hook of a Tube API process (its own infra: same config).
    const withHooks = await createHttpServer(redisWarm.infra);
    hooked = withHooks;
    withHooks.get('/static', async () => staticBody);
    await withHooks.listen({ port: 0, host: '127.0.0.1' });
    const hookedAddress = withHooks.server.address();
    if (!hookedAddress || typeof hookedAddress === 'string') throw new Error('no TCP address');
    const hookedUrl = `http://127.0.0.1:${hookedAddress.port}`;
    const hookedResponse = await fetch(`${hookedUrl}/static`);
    if (!hookedResponse.headers.get('content-security-policy') || !hookedResponse.headers.get('x-request-id'))
      throw new Error('the hooked ceiling is missing the app-wide headers');

    const version = await sql<{ server_version: string }>`show server_version`.execute(redisWarm.infra.db);
    pgVersion = version.rows[0]?.server_version ?? '?';
    const redis = new Redis(TEST_REDIS_URL);
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    await redis.quit();

    const scenario = (label: string, cache: string, baseUrl: string, urlPath: string, api: BenchApi | null, pair?: Scenario['pair']): Scenario => {
      const created: Scenario = { label, cache, baseUrl, path: urlPath, api, passes: [], hits: 0, misses: 0, ...(pair ? { pair } : {}) };
      scenarios.push(created);
      return created;
    };
    ceiling = scenario('bare Fastify route, static JSON (ceiling)', '—', bareUrl, '/static', null);
    hooksCeiling = scenario("Fastify route with Tube's app-wide hooks, static JSON", '—', hookedUrl, '/static', null);
    for (const [route, urlPath] of [
      ['GET /api/v1/videos/:id', videoPath],
      ['GET /api/v1/videos/:id/playback', playbackPath],
    ] as const) {
      for (const [cacheLabel, warm, cold] of [
        ['Redis', redisWarm, redisCold],
        ['in-process LRU', memoryWarm, memoryCold],
      ] as const) {
        scenario(`${route}, warm`, cacheLabel, warm.baseUrl, urlPath, warm, { key: `${route}|${cacheLabel}`, warmth: 'warm' });
        scenario(`${route}, cold`, cacheLabel, cold.baseUrl, urlPath, cold, { key: `${route}|${cacheLabel}`, warmth: 'cold' });
      }
    }
    scenario('GET /api/v1/videos/:id, warm, LOG_LEVEL=info (to /dev/null)', 'Redis', redisWarmLogged.baseUrl, videoPath, redisWarmLogged);
    scenario('GET /api/v1/videos/:id, warm, no local copy (CACHE_LOCAL_SECONDS=0)', 'Redis', redisWarmShared.baseUrl, videoPath, redisWarmShared);

    // Correctness once before timing: each server answers with the ready public video and its links.
    for (const each of scenarios) {
      if (!each.api) continue;
      if (each.path === videoPath) {
        const got = await expectOk<Video>(`${each.baseUrl}${videoPath}`);
        if (got.id !== video.id || got.status !== 'ready' || got.playback?.hls !== video.playback?.hls)
          throw new Error(`${each.label}: unexpected video response`);
      } else {
        const got = await expectOk<Playback>(`${each.baseUrl}${playbackPath}`);
        if (got.videoId !== video.id || got.hls !== video.playback?.hls) throw new Error(`${each.label}: unexpected playback response`);
      }
    }

    // Warm servers start with every copy cached, as a server that has been serving these videos would.
    for (const each of scenarios) {
      if (each.api && each.pair?.warmth !== 'cold') for (const id of videoIds) await expectOk<unknown>(`${each.baseUrl}${each.path.replace(video.id, id)}`);
    }

    for (let round = 0; round < settings.rounds; round++) {
      for (const each of roundOrder(scenarios, round)) {
        process.stderr.write(`round ${round + 1}/${settings.rounds}: ${each.label} (${each.cache})\n`);
        each.api?.cache.resetCounts();
        const localHitsBefore = each.api?.app.services.localVideos.hits ?? 0;
        // Video requests go to a random one of VIDEO_COPIES identical videos, so concurrent cold misses rarely share
        // one coalesced query (which would make "cold" look cheaper than a real miss is).
        const paths = each.api ? videoIds.map((id) => each.path.replace(video.id, id)) : [each.path];
        each.passes.push(await runLoad(each.label, { baseUrl: each.baseUrl, paths, randomPaths: each.api !== null }, settings, ownProcessCpu, true));
        if (each.api) {
          // Hits on the process's local copy count as hits too (they never reach the shared cache).
          each.hits += each.api.cache.hits + each.api.app.services.localVideos.hits - localHitsBefore;
          each.misses += each.api.cache.misses;
        }
      }
    }
  } finally {
    await bare.close();
    await hooked?.close();
    for (const api of apis) await api.close();
    await database.drop();
  }
  if (!ceiling || !hooksCeiling) throw new Error('no ceiling measured');
  const hooksPasses = hooksCeiling.passes;

  const ceilingPasses = ceiling.passes;
  const perRound = (each: Scenario, value: (pass: LoadResult, round: number) => number) => each.passes.map((pass, round) => value(pass, round));
  const cpuPerRequest = (pass: LoadResult) => (pass.serverCpuSeconds ?? 0) / pass.requests;
  const coldOf = (each: Scenario) =>
    each.pair?.warmth === 'warm' ? scenarios.find((other) => other.pair?.key === each.pair?.key && other.pair?.warmth === 'cold') : undefined;
  const warmCold = (each: Scenario): string => {
    const cold = coldOf(each);
    return cold ? ratioWithSpread(perRound(each, (pass, round) => pass.requestsPerSecond / cold.passes[round]!.requestsPerSecond)) : '';
  };
  const warmColdCpu = (each: Scenario): string => {
    const cold = coldOf(each);
    return cold ? ratioWithSpread(perRound(each, (pass, round) => cpuPerRequest(cold.passes[round]!) / cpuPerRequest(pass))) : '';
  };
  const table = markdownTable(
    [
      'Scenario',
      'Cache',
      'req/s',
      'p50 ms',
      'p99 ms',
      'Bytes/resp',
      'Server CPU µs/req',
      'Event loop busy',
      'Load generator CPU',
      '`video:` hits',
      'CPU: ceiling ÷ this',
      'req/s ÷ ceiling',
      'req/s ÷ hooked ceiling',
      'Warm ÷ cold req/s',
      'Cold ÷ warm CPU',
    ],
    scenarios.map((each) => [
      each.label,
      each.cache,
      fixed(median(perRound(each, (pass) => pass.requestsPerSecond))),
      wholeMs(median(perRound(each, (pass) => pass.latencyMs.p50))),
      wholeMs(median(perRound(each, (pass) => pass.latencyMs.p99))),
      fixed(median(perRound(each, (pass) => pass.bytesPerResponse))),
      fixed(median(perRound(each, (pass) => ((pass.serverCpuSeconds ?? 0) / pass.requests) * 1e6))),
      `${fixed(median(perRound(each, (pass) => pass.eventLoopUtilisation ?? 0)) * 100)} %`,
      `${fixed(median(perRound(each, (pass) => (pass.clientCpuSeconds / pass.durationSeconds) * 100)))} %`,
      each.api ? `${fixed((each.hits / Math.max(1, each.hits + each.misses)) * 100, 1)} %` : '—',
      ratioWithSpread(perRound(each, (pass, round) => cpuPerRequest(ceilingPasses[round]!) / cpuPerRequest(pass))),
      ratioWithSpread(perRound(each, (pass, round) => pass.requestsPerSecond / ceilingPasses[round]!.requestsPerSecond)),
      ratioWithSpread(perRound(each, (pass, round) => pass.requestsPerSecond / hooksPasses[round]!.requestsPerSecond)),
      warmCold(each),
      warmColdCpu(each),
    ]),
    [false, false, true, true, true, true, true, true, true, true, true, true, true, true, true],
  );
  const ceilingRps = ceilingPasses.map((pass) => pass.requestsPerSecond);
  const report = [
    '### Read API: cached and uncached video look-ups against a bare Fastify ceiling',
    '',
    machineLine(settings, { start: loadAtStart, end: loadavg()[0]! }, [
      `PostgreSQL ${pgVersion} and Redis ${redisVersion} on the same machine (127.0.0.1); Fastify ${bare.version}.`,
    ]),
    '',
    table,
    '',
    `Ceiling: a bare Fastify 5 instance in the same process, one route returning the same JSON object as \`GET /api/v1/videos/:id\` (no schema, hooks or plugins): ${ceilingRps.map((value) => fixed(value)).join(', ')} req/s in the ${ceilingRps.length} rounds. Hooked ceiling: the same route on \`createHttpServer\` (apps/server/src/app.ts), i.e. with every app-wide hook a Tube route runs (request id, security headers, CORS, write limits, metrics, the request logger) but none of the video routes' work; the gap between the two ceilings is what those hooks cost, the gap between the hooked ceiling and a warm video route is the route's own work. Ratio columns show the median and, in brackets, the range over the rounds. "Bytes/resp" includes headers (Tube sends ETag, Cache-Control, Vary, CORS and x-request-id headers; the bodies are the same size).`,
    '',
    'The Tube servers are `api`-role processes built from the real modules (anonymous requests for a public ready video; `LOG_LEVEL=silent` unless stated). The load generator runs in its own process, so "Server CPU µs/req" counts only the Node process that serves — not PostgreSQL or Redis, which run as separate processes on the same cores. "Event loop busy" is the main thread\'s event-loop utilisation during the measured pass; near 100 % means the Node process itself is the bottleneck. "Load generator CPU" is autocannon\'s process (100 % = one core); latencies are whole milliseconds as autocannon records them.',
    '',
    '"Cold" means every `video:<id>` look-up misses. The cache is wrapped (bench/support/kit.ts, `CountingCache`) so the real GET still goes to Redis or the LRU but its answer is discarded: each request pays the cache GET, the PostgreSQL query (videos ⋈ channels by primary key; pool of 10), building the DTO and links, and the cache SET — the cost after the 30 s TTL expires or an edit invalidates the entry. Real traffic pays it once per video per 30 s; concurrent misses for one video in one process share a single database query (VideoService coalesces them), so during this scenario many requests wait on the same query. The "`video:` hits" column is counted by the same wrapper and shows the warm servers really hit and the cold ones really miss.',
    '',
    `Total bench time ${fixed((Date.now() - started) / 1000)} s.`,
    '',
  ].join('\n');
  await emitReport(report, 'api');
}

await main();
