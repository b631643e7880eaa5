import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeStandaloneNginx, type NginxSettings } from '../../../../deploy/nginx/render.ts';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

/** A port the kernel just handed out (ephemeral range); nginx cannot listen on port 0 itself. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export interface RunningNginx {
  baseUrl: string;
  process: ChildProcess;
  dir: string;
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/** Runs Debian's nginx in the foreground with the shipped deploy/nginx configuration, on 127.0.0.1. */
export async function startNginx(
  settings: Omit<NginxSettings, 'listen' | 'cacheDir'>,
  options: { workers?: number; accessLog?: boolean } = {},
): Promise<RunningNginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tube-nginx-'));
  const port = await freePort();
  const conf = await writeStandaloneNginx(dir, { ...settings, listen: `127.0.0.1:${port}`, cacheDir: path.join(dir, 'cache') }, options);
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  const errorLog = () => readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}${await errorLog()}`);
    if (
      await fetch(`${baseUrl}/_nginx_probe`).then(
        () => true,
        () => false,
      )
    )
      break;
    if (attempt > 100) throw new Error('nginx did not start listening');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    baseUrl,
    process: child,
    dir,
    errorLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
