import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
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
function startServer(dataDir: string, port: number, pgPort: number, extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(pgPort),
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
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
const privateDirs: string[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  for (const dir of privateDirs) await rm(dir, { recursive: true, force: true });
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

const runningAsRoot = process.getuid?.() === 0;
describe.skipIf(!runningAsRoot)('embedded defaults as root in a private directory (the usual VPS case: a checkout under /root)', () => {
  it('keeps the cluster where the postgres user can reach it, without loosening the private directory', async () => {
    const privateParent = await mkdtemp(path.join(tmpdir(), 'tube-private-'));
    const pgHome = await mkdtemp(path.join(tmpdir(), 'tube-pg-home-'));
    privateDirs.push(privateParent, pgHome);
    await chmod(privateParent, 0o700);
    const privateDataDir = path.join(privateParent, 'data');
    const port = randomPort();
    const pgPort = randomPort();
    const base = `http://127.0.0.1:${port}`;

    const first = startServer(privateDataDir, port, pgPort, { EMBEDDED_PG_HOME: pgHome });
    children.push(first.child);
    await waitForReady(base, first);
    expect((await stat(privateParent)).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(pgHome, 'data', 'PG_VERSION'))).toBe(true);
    expect(await readFile(path.join(privateDataDir, 'postgres.location'), 'utf8')).toContain(path.join(pgHome, 'data'));
    const register = await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'vps-owner', email: 'vps@example.test', password: 'first-password' }),
    });
    expect(register.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = startServer(privateDataDir, port, pgPort, { EMBEDDED_PG_HOME: pgHome });
    children.push(second.child);
    await waitForReady(base, second);
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'vps-owner', password: 'first-password' }),
    });
    expect(login.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});
