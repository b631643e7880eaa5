/**
 * Media segment serving: Tube's origin route (`/media/...`, fs storage driver, public video) against
 * nginx serving the same directory with sendfile, with the same load settings, in one run.
 *
 *   node --import tsx bench/segments.bench.ts            # prints the table
 *   node --import tsx bench/segments.bench.ts --write    # also writes bench/results/segments.md
 *   BENCH_SECONDS=12 BENCH_ROUNDS=1 BENCH_DURATION=2 node --import tsx bench/segments.bench.ts   # quick smoke run
 *
 * The media comes from the real pipeline: a BENCH_SECONDS (default 40) s 1280×720 synthetic source is
 * uploaded with tus and transcoded by the worker with SEGMENT_SECONDS=4, TRANSCODE_MAX_HEIGHT=720 and
 * X264_PRESET=ultrafast. The load generator then requests every media segment of every rung (not the init
 * segments or manifests), round-robin per connection, from both servers. Before any timing, every file of
 * the video is fetched from both servers and compared byte for byte with the file on disk, plus one
 * Range request.
 *
 * Every server is measured with two load generators, same settings: autocannon, and Node's own HTTP client
 * (bench/support/load-client.ts). autocannon turns every body chunk into a string, so with segments of
 * hundreds of KiB it saturates its core long before either server does; the Node client does not, and
 * shows the servers' real difference. Server CPU per request is reported for both.
 *
 * nginx (Debian's /usr/sbin/nginx, override with NGINX_PATH) runs as one process (`master_process off`),
 * the same as Tube's single Node process, with a generated minimal config in a temporary directory,
 * and is killed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp } from '../apps/server/test/helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../apps/server/test/helpers/database.ts';
import { makeVideo, tusUpload, waitFor } from '../apps/server/test/helpers/media.ts';
import { startNginx as startFront, type RunningNginx } from '../apps/server/test/helpers/nginx.ts';
import {
  childProcessCpu,
  fixed,
  loadSettingsFromEnv,
  machineLine,
  markdownTable,
  median,
  ownProcessCpu,
  ratioWithSpread,
  roundOrder,
  runLoad,
  startBenchApi,
  type BenchApi,
  type CpuSampler,
  type LoadResult,
  emitReport,
} from './support/kit.ts';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const SOURCE_SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const settings = loadSettingsFromEnv({ connections: 50, durationSeconds: 4, warmupSeconds: 1, rounds: 3 });
const PIPELINE_ENV = { TRANSCODE_MAX_HEIGHT: '720', X264_PRESET: 'ultrafast', SEGMENT_SECONDS: '4', JOB_RETRY_DELAY: '1', STORYBOARD_INTERVAL: '2' };

interface Target {
  label: string;
  baseUrl: string;
  /** URL path of a file in the video's media prefix. */
  urlOf(file: string): string;
  cpu: CpuSampler;
  inProcess: boolean;
  api: BenchApi | null;
  passes: Record<Client, LoadResult[]>;
}

type Client = 'autocannon' | 'node-http';
const CLIENTS: Client[] = ['autocannon', 'node-http'];
const CLIENT_LABELS: Record<Client, string> = { autocannon: 'autocannon', 'node-http': 'Node http client' };

/** Uploads and transcodes the source with the real pipeline; the media stays in `mediaDir`. */
async function prepareMedia(database: TestDatabase, mediaDir: string): Promise<{ video: Video; prefix: string }> {
  const sourceDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-src-'));
  const setup = await startTestApp({ ...PIPELINE_ENV, MEDIA_DIR: mediaDir }, 'all', { withWorker: true, database });
  try {
    await setup.app.listen({ port: 0, host: '127.0.0.1' });
    const user = await registerUser(setup.app);
    const file = await makeVideo(sourceDir, 'source.mp4', { width: 1280, height: 720, seconds: SOURCE_SECONDS, fps: 25 });
    const created = (
      await setup.app.inject({
        method: 'POST',
        url: '/api/v1/videos',
        headers: bearer(user.accessToken),
        payload: { title: 'Segment benchmark', visibility: 'public' },
      })
    ).json<{ id: string }>();
    const address = setup.app.server.address();
    if (!address || typeof address === 'string') throw new Error('no TCP address');
    await tusUpload(file, { endpoint: `http://127.0.0.1:${address.port}/api/v1/uploads`, token: user.accessToken, videoId: created.id });
    const transcodeStarted = Date.now();
    const video = await waitFor(
      async () => {
        const got = (await setup.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(user.accessToken) })).json<Video>();
        return got.status === 'ready' || got.status === 'failed' ? got : undefined;
      },
      600_000,
      'the benchmark video to be transcoded',
    );
    if (video.status !== 'ready') throw new Error(`transcode failed: ${video.error ?? ''}`);
    process.stderr.write(`transcoded in ${((Date.now() - transcodeStarted) / 1000).toFixed(1)} s\n`);
    const prefix = /^\/media\/(videos\/[0-9a-f-]{36}\/[A-Za-z0-9_-]+)\/master\.m3u8$/.exec(video.playback?.hls ?? '')?.[1];
    if (!prefix) throw new Error(`unexpected HLS URL ${video.playback?.hls}`);
    return { video, prefix };
  } finally {
    await setup.close();
    await rm(sourceDir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Starts nginx in the foreground as one process, serving `root` on 127.0.0.1:<port>. */
async function startNginx(root: string): Promise<{ baseUrl: string; process: ChildProcess; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tube-bench-nginx-'));
  const port = await freePort();
  const config = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types {
    video/iso.segment m4s;
    application/vnd.apple.mpegurl m3u8;
    application/dash+xml mpd;
    image/jpeg jpg;
    text/vtt vtt;
  }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    add_header cache-control "public, max-age=31536000, immutable";
    add_header access-control-allow-origin *;
  }
}
`;
  await writeFile(path.join(dir, 'nginx.conf'), config);
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`nginx exited: ${await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '')}`);
        return fetch(`${baseUrl}/`).then(
          () => true,
          () => false,
        );
      },
      10_000,
      'nginx to listen',
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    baseUrl,
    process: child,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        if (!exited) await once(child, 'exit');
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function fetchBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** Every file of the video, from both servers, must equal the file on disk; one Range request too. */
async function verifySameBytes(targets: Target[], mediaDir: string, prefix: string, files: string[], segment: string): Promise<void> {
  for (const file of files) {
    const onDisk = await readFile(path.join(mediaDir, prefix, file));
    for (const target of targets) {
      const got = await fetchBytes(`${target.baseUrl}${target.urlOf(file)}`);
      if (got.status !== 200 || !got.body.equals(onDisk))
        throw new Error(`${target.label}: ${file} differs from the file on disk (status ${got.status}, ${got.body.length} of ${onDisk.length} bytes)`);
      if (file.endsWith('.m4s') && got.headers.get('content-type') !== 'video/iso.segment')
        throw new Error(`${target.label}: ${file} has content-type ${got.headers.get('content-type')}`);
    }
  }
  const onDisk = await readFile(path.join(mediaDir, prefix, segment));
  const end = Math.min(onDisk.length - 1, 50_999);
  for (const target of targets) {
    const got = await fetchBytes(`${target.baseUrl}${target.urlOf(segment)}`, { range: `bytes=1000-${end}` });
    if (got.status !== 206 || !got.body.equals(onDisk.subarray(1000, end + 1)) || got.headers.get('content-range') !== `bytes 1000-${end}/${onDisk.length}`) {
      throw new Error(`${target.label}: Range request answered wrongly (status ${got.status}, content-range ${got.headers.get('content-range')})`);
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const database = await createTestDatabase();
  const mediaDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-media-'));
  const apis: BenchApi[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | null = null;
  let front: RunningNginx | null = null;
  let nginxVersion = '?';
  const targets: Target[] = [];
  let segments: { file: string; bytes: number }[] = [];
  let rungs: string[] = [];
  let renditionNames: string[] = [];
  try {
    const prepared = await prepareMedia(database, mediaDir);
    const { prefix } = prepared;
    renditionNames = prepared.video.renditions.map((rendition) => rendition.name);
    const files = (await readdir(path.join(mediaDir, prefix))).sort();
    const segmentFiles = files.filter((file) => /^seg-.+\.m4s$/.test(file));
    segments = await Promise.all(segmentFiles.map(async (file) => ({ file, bytes: (await readFile(path.join(mediaDir, prefix, file))).length })));
    rungs = [...new Set(segmentFiles.map((file) => /^seg-(.+)-\d+\.m4s$/.exec(file)?.[1] ?? '?'))];
    if (segments.length === 0) throw new Error(`no media segments in ${files.join(', ')}`);

    for (const cache of ['redis', 'memory'] as const) {
      const api = await startBenchApi({ database, cache, alwaysMiss: false, env: { MEDIA_DIR: mediaDir }, counted: /^video-access:/ });
      apis.push(api);
      targets.push({
        label: `Tube origin route (${cache === 'redis' ? 'Redis' : 'in-process LRU'} cache)`,
        baseUrl: api.baseUrl,
        urlOf: (file) => `/media/${prefix}/${file}`,
        cpu: ownProcessCpu,
        inProcess: true,
        api,
        passes: { autocannon: [], 'node-http': [] },
      });
    }
    nginx = await startNginx(mediaDir);
    const nginxPid = nginx.process.pid;
    if (nginxPid === undefined) throw new Error('nginx has no pid');
    targets.push({
      label: 'nginx (sendfile, 1 process)',
      baseUrl: nginx.baseUrl,
      urlOf: (file) => `/${prefix}/${file}`,
      cpu: childProcessCpu(nginxPid),
      inProcess: false,
      api: null,
      passes: { autocannon: [], 'node-http': [] },
    });
    nginxVersion = (await fetch(nginx.baseUrl)).headers.get('server') ?? '?';
    // The shipped front (deploy/nginx, fs mode): files from disk after Tube's access check, cached per video version.
    const redisApi = apis[0]!;
    front = await startFront({ upstreamServers: `server ${new URL(redisApi.baseUrl).host};`, mediaMode: 'fs', mediaDir });
    const frontPid = front.process.pid;
    if (frontPid === undefined) throw new Error('the nginx front has no pid');
    targets.push({
      label: 'nginx front from deploy/nginx (fs mode, 1 process) → Tube (Redis) for access checks',
      baseUrl: front.baseUrl,
      urlOf: (file) => `/media/${prefix}/${file}`,
      cpu: childProcessCpu(frontPid),
      inProcess: false,
      api: null,
      passes: { autocannon: [], 'node-http': [] },
    });

    await verifySameBytes(targets, mediaDir, prefix, files, segmentFiles[Math.floor(segmentFiles.length / 2)]!);
    process.stderr.write(`verified ${files.length} files byte for byte on ${targets.length} servers\n`);

    const runs = CLIENTS.flatMap((client) => targets.map((target) => ({ client, target })));
    for (let round = 0; round < settings.rounds; round++) {
      for (const { client, target } of roundOrder(runs, round)) {
        process.stderr.write(`round ${round + 1}/${settings.rounds}: ${target.label}, ${client}\n`);
        const paths = segments.map((segment) => target.urlOf(segment.file));
        target.passes[client].push(await runLoad(target.label, { baseUrl: target.baseUrl, paths, client }, settings, target.cpu, target.inProcess));
      }
    }
  } finally {
    await nginx?.stop();
    await front?.stop();
    for (const api of apis) await api.close();
    await database.drop();
    await rm(mediaDir, { recursive: true, force: true });
  }

  const baseline = targets.find((target) => !target.inProcess)!;
  const cpuPerRequest = (pass: LoadResult) => ((pass.serverCpuSeconds ?? 0) / pass.requests) * 1e6;
  const rows = CLIENTS.flatMap((client) =>
    targets.map((target) => {
      const passes = target.passes[client];
      const base = baseline.passes[client];
      const med = (value: (pass: LoadResult) => number) => median(passes.map(value));
      const versus = (value: (pass: LoadResult) => number) => ratioWithSpread(passes.map((pass, round) => value(pass) / value(base[round]!)));
      return [
        CLIENT_LABELS[client],
        target.label,
        fixed(med((pass) => pass.requestsPerSecond)),
        fixed(med((pass) => pass.megabytesPerSecond)),
        fixed(
          med((pass) => pass.latencyMs.p50),
          1,
        ),
        fixed(
          med((pass) => pass.latencyMs.p99),
          1,
        ),
        fixed(med(cpuPerRequest)),
        fixed(
          med((pass) => (pass.serverCpuSeconds ?? 0) / (pass.bytes / 1e9)),
          2,
        ),
        target.inProcess ? `${fixed(med((pass) => pass.eventLoopUtilisation ?? 0) * 100)} %` : '',
        `${fixed(med((pass) => (pass.clientCpuSeconds / pass.durationSeconds) * 100))} %`,
        versus((pass) => pass.requestsPerSecond),
        versus((pass) => pass.megabytesPerSecond),
        versus(cpuPerRequest),
      ];
    }),
  );
  const table = markdownTable(
    [
      'Load generator',
      'Server',
      'req/s',
      'MB/s',
      'p50 ms',
      'p99 ms',
      'Server CPU µs/req',
      'Server CPU s/GB',
      'Event loop busy',
      'Load generator CPU',
      'req/s ÷ nginx',
      'MB/s ÷ nginx',
      'CPU per req ÷ nginx',
    ],
    rows,
    [false, false, true, true, true, true, true, true, true, true, true, true, true],
  );
  const sizes = segments.map((segment) => segment.bytes);
  const accessLookups = targets
    .filter((target) => target.api)
    .map((target) => `${target.label}: ${fixed(target.api!.cache.hits)} hits / ${fixed(target.api!.cache.misses)} misses`);
  const report = [
    '### Media segments: Tube origin route vs nginx on the same files',
    '',
    machineLine(
      settings,
      { start: loadAtStart, end: loadavg()[0]! },
      [
        `nginx: ${nginxVersion} (\`master_process off\`, sendfile on, tcp_nopush on, access_log off). Tube: \`api\`-role process, fs storage driver, \`LOG_LEVEL=silent\`.`,
      ],
      "autocannon or Node's HTTP client (see below)",
    ),
    '',
    `Media: a ${SOURCE_SECONDS} s 1280×720 25 fps synthetic source transcoded by Tube's pipeline (4 s CMAF segments, ladder up to 720p, x264 ultrafast): ${segments.length} media segments across ${rungs.length} representations (video ${renditionNames.join(', ')} and audio), ${fixed(Math.min(...sizes) / 1024)}–${fixed(Math.max(...sizes) / 1024)} KiB, mean ${fixed(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024)} KiB. Each connection requests all of them in turn (round-robin). Every file of the video was first fetched from each server and compared byte for byte with the file on disk, plus one Range request (206, same bytes and Content-Range).`,
    '',
    table,
    '',
    'Ratios are Tube ÷ nginx with the same load generator, computed within each round, shown as median (range). "Server CPU" is the serving process only (Tube: this Node process including its libuv threads; nginx: /proc/<pid>/stat), so it stays comparable when the load generator, not the server, limits throughput. "Event loop busy" is Tube\'s main-thread event-loop utilisation. "Load generator CPU" near 100 % of one core means the client set the pace and req/s understates the server.',
    '',
    "Two load generators with identical settings (50 keep-alive connections, one request in flight each, every connection walking the segment list in turn): autocannon, as for the API bench, and Node's own HTTP client with a keep-alive agent (bench/support/load-client.ts). autocannon parses responses with http-parser-js and appends every body chunk to a string, which makes it the bottleneck for bodies of hundreds of KiB — its req/s are then the same for any server, so only its CPU columns compare the servers. The Node client counts and drops bodies in C++-parsed chunks and gets much closer to what the servers can do. MB/s counts whole responses for autocannon and bodies only for the Node client (headers are < 0.1 % here).",
    '',
    `Tube checks access per request through the \`video-access:<id>\` cache entry (30 s TTL) before serving: ${accessLookups.join('; ')}. With ${settings.connections} connections, misses come in bursts of about one per connection each time the entry has expired, since concurrent misses are not coalesced.`,
    '',
    "The nginx front is the configuration shipped in deploy/nginx (rendered by deploy/nginx/render.ts, one process like the baseline): for each request it asks Tube's `/media-auth` (the media route's own access check) through a verdict cache keyed by video version and token (10 s), then serves the file from disk with sendfile. Its CPU column counts nginx only; the access checks it sends Tube are about one per video version per 10 s.",
    '',
    `Total bench time ${fixed((Date.now() - started) / 1000)} s.`,
    '',
  ].join('\n');
  await emitReport(report, 'segments');
}

await main();
