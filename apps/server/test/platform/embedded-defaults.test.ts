import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const serverDir = path.resolve(import.meta.dirname, '../..');

function randomPort() {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `npm start`'s server exactly as a newcomer would: no DATABASE_URL, no REDIS_URL, no S3 settings. */
function startServer(dataDir: string, port: number, pgPort: number) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitForReady(base: string, server: { exited: Promise<number | null>; output: () => string }) {
  const deadline = Date.now() + 90_000;
  let failed = false;
  void server.exited.then(() => (failed = true));
  while (Date.now() < deadline && !failed) {
    try {
      const response = await fetch(`${base}/readyz`);
      if (response.ok) return (await response.json()) as unknown;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server did not become ready:\n${server.output()}`);
}

async function waitForLog(server: { output: () => string }, pattern: RegExp) {
  const deadline = Date.now() + 5000;
  while (!pattern.test(server.output()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

const children: ChildProcess[] = [];
let dataDir = '';
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('embedded defaults (what `npm start` does on a fresh clone)', () => {
  it('starts its own PostgreSQL, in-process cache and filesystem storage, keeps data across restarts, and shuts down cleanly', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tube-embedded-'));
    const port = randomPort();
    const pgPort = randomPort();
    const base = `http://127.0.0.1:${port}`;

    const first = startServer(dataDir, port, pgPort);
    children.push(first.child);
    expect(await waitForReady(base, first)).toEqual({ status: 'ready', checks: { database: { ok: true }, cache: { ok: true }, storage: { ok: true } } });
    expect(first.output()).toContain('"cache":"memory"');
    expect(first.output()).toContain('"storage":"fs"');

    const register = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'newcomer', email: 'new@example.test', password: 'first-password' }),
    });
    expect(register.status).toBe(201);
    expect(await portOpen(pgPort)).toBe(true);
    // pino JSON logs: one line per request, carrying its request id.
    await waitForLog(first, /"method":"POST","url":"\/api\/v1\/auth\/register","status":201/);
    expect(first.output()).toMatch(/"reqId":"[0-9a-f-]{36}","method":"POST","url":"\/api\/v1\/auth\/register","status":201,"ms":[\d.]+,"msg":"request"/);
    expect(first.output()).not.toContain('incoming request');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('shutting down');
    expect(await portOpen(pgPort)).toBe(false);
    expect(await portOpen(port)).toBe(false);

    const second = startServer(dataDir, port, pgPort);
    children.push(second.child);
    await waitForReady(base, second);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'newcomer', password: 'first-password' }),
    });
    expect(login.status).toBe(200);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(await portOpen(pgPort)).toBe(false);
  }, 180_000);
});
