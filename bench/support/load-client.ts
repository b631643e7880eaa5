/**
 * The load generator, run as a child process by `runLoad` (bench/support/kit.ts) so that it never shares
 * an event loop or a CPU accounting with the server it measures.
 *
 * Reads one JSON `LoadSpec` on stdin, runs an unmeasured warm-up with the same settings, prints
 * `{"event":"start"}`, runs the measured pass and prints `{"event":"result", ...}` (one JSON object a line).
 *
 * Two clients with the same model (N keep-alive connections, each requesting `paths` in turn, one request
 * in flight per connection):
 * - `autocannon` (default): the standard tool. It parses responses with http-parser-js and appends every
 *   body chunk to a string, so for large binary bodies the client, not the server, sets the pace.
 * - `node-http`: Node's own HTTP client (llhttp, in C++) with a keep-alive agent; bodies are counted and
 *   dropped. Much cheaper per byte, for serving large files.
 */
import http from 'node:http';
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadSpec {
  client?: 'autocannon' | 'node-http';
  url: string;
  paths: string[];
  /** Each request takes a random one of `paths` instead of every connection walking them in the same order. */
  randomPaths?: boolean;
  headers?: Record<string, string>;
  connections: number;
  pipelining: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface ClientResult {
  event: 'result';
  durationSeconds: number;
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytes: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  clientCpuSeconds: number;
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

function options(spec: LoadSpec, durationSeconds: number): autocannon.Options {
  return {
    url: spec.url,
    connections: spec.connections,
    pipelining: spec.pipelining,
    duration: durationSeconds,
    headers: spec.headers ?? {},
    requests: spec.randomPaths
      ? [{ method: 'GET', setupRequest: (request) => ({ ...request, path: spec.paths[Math.floor(Math.random() * spec.paths.length)]! }) }]
      : spec.paths.map((path) => ({ method: 'GET', path })),
  };
}

/** Runs `connections` request loops for warm-up + duration; counts only responses completed in the measured window. */
async function runNodeHttp(spec: LoadSpec): Promise<ClientResult> {
  const base = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections });
  const latency = createHistogram();
  let measuring = false;
  let running = true;
  let requests = 0;
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;
  let cpuBefore = process.cpuUsage();
  let measureStart = 0;

  const once = (path: string) =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const request = http.get({ agent, hostname: base.hostname, port: base.port, path, headers: spec.headers ?? {} }, (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => (received += chunk.length));
        response.on('end', () => {
          if (measuring) {
            requests++;
            bytes += received;
            if (response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300) ok2xx++;
            else non2xx++;
            latency.record(Number(process.hrtime.bigint() - started) || 1);
          }
          resolve();
        });
        response.on('error', () => {
          if (measuring) errors++;
          resolve();
        });
      });
      request.on('error', () => {
        if (measuring) errors++;
        resolve();
      });
    });

  const loops = Array.from({ length: spec.connections }, async () => {
    for (let index = 0; running; index = (index + 1) % spec.paths.length)
      await once(spec.randomPaths ? spec.paths[Math.floor(Math.random() * spec.paths.length)]! : spec.paths[index]!);
  });
  await new Promise((resolve) => setTimeout(resolve, spec.warmupSeconds * 1000));
  process.stdout.write(`${JSON.stringify({ event: 'start' })}\n`);
  measuring = true;
  measureStart = performance.now();
  cpuBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, spec.durationSeconds * 1000));
  measuring = false;
  const durationSeconds = (performance.now() - measureStart) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  running = false;
  await Promise.all(loops);
  agent.destroy();
  const ms = (value: number) => value / 1e6;
  return {
    event: 'result',
    durationSeconds,
    requests,
    ok2xx,
    non2xx,
    errors,
    timeouts: 0,
    bytes,
    latencyMs: {
      mean: ms(latency.mean),
      p50: ms(latency.percentile(50)),
      p90: ms(latency.percentile(90)),
      p99: ms(latency.percentile(99)),
      max: ms(latency.max),
    },
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const spec = JSON.parse(await readStdin()) as LoadSpec;
if (spec.client === 'node-http') {
  process.stdout.write(`${JSON.stringify(await runNodeHttp(spec))}\n`);
  process.exit(0);
}
if (spec.warmupSeconds > 0) await autocannon(options(spec, spec.warmupSeconds));
process.stdout.write(`${JSON.stringify({ event: 'start' })}\n`);
const cpuBefore = process.cpuUsage();
const result = await autocannon(options(spec, spec.durationSeconds));
const cpu = process.cpuUsage(cpuBefore);
const report: ClientResult = {
  event: 'result',
  durationSeconds: result.duration,
  requests: result.requests.total,
  ok2xx: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  bytes: result.throughput.total,
  latencyMs: { mean: result.latency.mean, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
