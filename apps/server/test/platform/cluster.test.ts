import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { loadConfig } from '../../src/config.ts';
import { S3Storage } from '../../src/infra/storage/s3-storage.ts';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../helpers/database.ts';
import { FAST_TRANSCODE_ENV, makeVideo, waitFor } from '../helpers/media.ts';
import { startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';

/**
 * A real cluster, all started here: Debian's nginx (the shipped deploy/nginx config) load-balancing two
 * `ROLE=api` processes, two `ROLE=worker` processes, one PostgreSQL database, one Redis key prefix and one
 * S3 bucket (s3rver). Nothing is shared on disk: every process has its own DATA_DIR, uploads resume across
 * nodes through the tus store in PostgreSQL and S3 multipart uploads, and nginx serves /media in its S3 mode
 * (fetched through Tube, kept in nginx's cache).
 */
const serverDir = path.resolve(import.meta.dirname, '../..');
const webIndex = path.join(loadConfig({}).webDistDir, 'index.html');
// Ports of this suite: a random block in 44000–44899, so parallel runs rarely collide.
const basePort = 44000 + Math.floor(Math.random() * 450) * 2;

interface Node {
  name: string;
  port: number;
  child: ChildProcess;
  output: string;
  exited: Promise<number | null>;
}

let database: TestDatabase;
let root: string;
let s3: S3Server;
let nginx: RunningNginx;
const nodes = new Map<string, Node>();
let env: Record<string, string>;

function startNode(name: string, role: 'api' | 'worker', port: number): Node {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Workers log at info so the test sees "Tube is running" (they have no port to probe: PORT=0).
    env: { ...env, ROLE: role, PORT: String(port), DATA_DIR: path.join(root, name), LOG_LEVEL: role === 'worker' ? 'info' : 'warn' },
  });
  const node: Node = { name, port, child, output: '', exited: new Promise((resolve) => child.once('exit', resolve)) };
  child.stdout!.on('data', (chunk: Buffer) => (node.output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (node.output += chunk.toString()));
  nodes.set(name, node);
  return node;
}

async function untilReady(node: Node): Promise<void> {
  await waitFor(
    async () => {
      if (node.child.exitCode !== null) throw new Error(`${node.name} exited during start:\n${node.output.slice(-2000)}`);
      return fetch(`http://127.0.0.1:${node.port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    `${node.name} to be ready`,
  );
}

async function stopNode(name: string, signal: NodeJS.Signals): Promise<number | null> {
  const node = nodes.get(name)!;
  if (node.child.exitCode === null) node.child.kill(signal);
  return node.exited;
}

const api = (pathAndQuery: string, init: RequestInit = {}) => fetch(`${nginx.baseUrl}${pathAndQuery}`, init);
const json = { 'content-type': 'application/json' };

let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  root = await mkdtemp(path.join(tmpdir(), 'tube-cluster-'));
  s3 = await startS3Server(root);
  nginx = await startNginx({
    upstreamServers: `server 127.0.0.1:${basePort} max_fails=1 fail_timeout=2s; server 127.0.0.1:${basePort + 1} max_fails=1 fail_timeout=2s;`,
    mediaMode: 'proxy',
    // Not read in proxy mode; a path that does not exist shows nginx serves nothing from disk.
    mediaDir: '/nonexistent',
  });
  env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `tube-cluster:${process.pid}:${basePort}:`,
    ...s3StorageEnv(s3),
    PUBLIC_URL: nginx.baseUrl,
    TRUST_PROXY: 'true',
    JOB_LEASE_SECONDS: '10',
    ...FAST_TRANSCODE_ENV,
  };
  // The first API process migrates and creates the queue; the others then start together.
  const first = startNode('api1', 'api', basePort);
  await untilReady(first);
  const others = [startNode('api2', 'api', basePort + 1), startNode('worker1', 'worker', 0), startNode('worker2', 'worker', 0)];
  await untilReady(others[0]!);
  await waitFor(async () => others.slice(1).every((n) => n.output.includes('Tube is running') || n.child.exitCode !== null), 60_000, 'workers to start').catch(
    (error: unknown) => {
      throw new Error(`${String(error)}\n${others.map((n) => `${n.name}: ${n.output.slice(-1500)}`).join('\n')}`);
    },
  );
  for (const worker of others.slice(1)) if (worker.child.exitCode !== null) throw new Error(`${worker.name} exited:\n${worker.output}`);

  const registered = await api('/api/v1/auth/register', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: 'clusteruser', email: 'c@example.test', password: 'correct horse' }),
  });
  expect(registered.status).toBe(201);
  token = ((await registered.json()) as { accessToken: string }).accessToken;
}, 150_000);

afterAll(async () => {
  for (const name of nodes.keys()) await stopNode(name, 'SIGKILL');
  await nginx?.stop();
  await s3?.stop();
  await database?.drop();
  await rm(root, { recursive: true, force: true });
});

/** Sends GETs through nginx from `concurrency` loops until `stop` resolves; counts answers that are not 2xx. */
async function loadUntil<T>(stop: Promise<T>, paths: string[], concurrency = 4): Promise<{ ok: number; failed: { status: number | string; path: string }[] }> {
  let running = true;
  void stop.finally(() => (running = false));
  const result = { ok: 0, failed: [] as { status: number | string; path: string }[] };
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = loop; running; i++) {
        const target = paths[i % paths.length]!;
        try {
          const response = await api(target);
          await response.arrayBuffer();
          if (response.ok) result.ok++;
          else result.failed.push({ status: response.status, path: target });
        } catch (error) {
          result.failed.push({ status: error instanceof Error ? error.message : String(error), path: target });
        }
      }
    }),
  );
  return result;
}

let video: Video;
/** Media of the video through nginx (proxy mode): its master playlist and one segment. */
let mediaPaths: string[] = [];

describe('Tube as a cluster behind nginx', () => {
  it('completes an upload whose every chunk goes to the other API node, byte-identical, and transcodes it on a worker', async () => {
    const source = await makeVideo(root, 'source.mp4', { seconds: 2 });
    const bytes = await readFile(source);
    const created = await api('/api/v1/videos', {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ title: 'Cluster', visibility: 'public' }),
    });
    const { id } = (await created.json()) as { id: string };
    const direct = (index: number) => `http://127.0.0.1:${basePort + (index % 2)}`;
    const tus = { 'tus-resumable': '1.0.0', authorization: `Bearer ${token}` };
    const metadata = `videoId ${Buffer.from(id).toString('base64')},filename ${Buffer.from('source.mp4').toString('base64')}`;
    const creation = await fetch(`${direct(0)}/api/v1/uploads`, {
      method: 'POST',
      headers: { ...tus, 'upload-length': String(bytes.length), 'upload-metadata': metadata },
    });
    expect(creation.status).toBe(201);
    const uploadPath = new URL(creation.headers.get('location')!, direct(0)).pathname;
    const chunk = Math.ceil(bytes.length / 6);
    for (let offset = 0, index = 1; offset < bytes.length; offset += chunk, index++) {
      // Each chunk asks the other node where the upload stands first, as a client resuming elsewhere would.
      const head = await fetch(`${direct(index)}${uploadPath}`, { method: 'HEAD', headers: tus });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('upload-offset'))).toBe(offset);
      const body = bytes.subarray(offset, offset + chunk);
      const patch = await fetch(`${direct(index)}${uploadPath}`, {
        method: 'PATCH',
        headers: { ...tus, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        body,
      });
      expect(patch.status, await patch.text()).toBe(204);
    }
    video = await waitFor(
      async () => {
        const current = (await (await api(`/api/v1/videos/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Video;
        return current.status === 'ready' || current.status === 'failed' ? current : undefined;
      },
      90_000,
      'the video to be transcoded',
    );
    expect(video.status).toBe('ready');
    // The source as stored in the bucket (KEEP_SOURCE) is the uploaded file, byte for byte.
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const { rows } = await db.query<{ source_key: string }>('SELECT source_key FROM videos WHERE id = $1', [id]).finally(() => db.end());
    const stored = await new S3Storage(s3.settings).read(rows[0]!.source_key);
    expect(stored, 'the source object is in the bucket').toBeTruthy();
    expect(Buffer.concat(await stored!.body.toArray()).equals(bytes)).toBe(true);
    // Playable through nginx: master playlist, a variant playlist and its first segment, the segment from
    // nginx's cache the second time.
    const master = await api(video.playback!.hls);
    expect(master.status).toBe(200);
    const masterUrl = new URL(master.url);
    const variantUri = (await master.text()).split('\n').find((line) => line.trim() && !line.startsWith('#'))!;
    const variantUrl = new URL(variantUri.trim(), masterUrl);
    const variant = await api(variantUrl.pathname + variantUrl.search);
    expect(variant.status).toBe(200);
    const playlist = await variant.text();
    const mapUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)?.[1];
    const segmentUri = mapUri ?? playlist.split('\n').find((line) => line.trim() && !line.startsWith('#'))!;
    const segmentPath = new URL(segmentUri.trim(), variantUrl);
    const first = await api(segmentPath.pathname + segmentPath.search);
    expect(first.status).toBe(200);
    expect((await first.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const again = await api(segmentPath.pathname + segmentPath.search);
    expect(again.status).toBe(200);
    await again.arrayBuffer();
    expect(again.headers.get('x-cache')).toBe('HIT');
    mediaPaths = [video.playback!.hls, segmentPath.pathname + segmentPath.search];
    // No process keeps media on its own disk: the bucket is the only shared storage.
    for (const name of nodes.keys()) {
      const files = await readdir(path.join(root, name), { recursive: true }).catch(() => [] as string[]);
      expect(
        files.filter((file) => file.startsWith('media')),
        `${name}'s DATA_DIR`,
      ).toEqual([]);
    }
  }, 120_000);

  it('keeps serving through nginx, without errors, while an API node is killed (kill -9) mid-traffic', async () => {
    const paths = [`/api/v1/videos/${video.id}`, `/api/v1/videos/${video.id}/playback`, '/api/v1/videos', '/healthz', ...mediaPaths];
    const killed = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      await stopNode('api1', 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1500));
    })();
    const load = await loadUntil(killed, paths);
    expect(load.ok).toBeGreaterThan(50);
    expect(load.failed).toEqual([]);
    const restarted = startNode('api1', 'api', basePort);
    await untilReady(restarted);
  }, 90_000);

  it('restarts both API nodes one after the other under load with zero failed requests', async () => {
    const paths = [`/api/v1/videos/${video.id}`, `/api/v1/videos/${video.id}/playback`, '/api/v1/videos', '/', '/healthz', ...mediaPaths];
    const rolling = (async () => {
      for (const [name, port] of [
        ['api1', basePort],
        ['api2', basePort + 1],
      ] as const) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(await stopNode(name, 'SIGTERM')).toBe(0);
        await untilReady(startNode(name, 'api', port));
        // As a rolling update does (readiness, maxUnavailable 0): the next node goes down only once this one
        // takes traffic again, which for nginx means its fail_timeout (2 s) since the refused connections has passed.
        await new Promise((resolve) => setTimeout(resolve, 2500));
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
    })();
    const load = await loadUntil(rolling, paths);
    await rolling;
    expect(load.ok).toBeGreaterThan(50);
    expect(load.failed.slice(0, 5)).toEqual([]);
    expect(load.failed.length).toBe(0);
  }, 120_000);

  it('serves the web app and the API through the balancer', async () => {
    expect(existsSync(webIndex), 'the web app is built (npm test runs build:web first)').toBe(true);
    const index = await api('/', { headers: { accept: 'text/html' } });
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const deepLink = await api(`/watch/${video.id}`, { headers: { accept: 'text/html' } });
    expect(deepLink.status).toBe(200);
    const me = await api('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const listing = (await (await api('/api/v1/videos')).json()) as { items: { id: string }[] };
    expect(listing.items.map((item) => item.id)).toContain(video.id);
  });
});
