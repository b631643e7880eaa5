import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tus from 'tus-js-client';
import type { AuthResult, CreatedVideo, DownloadStatus, LoginResult, Video } from '@tube/shared';
import { ADMIN_USAGE, adminCommand } from './admin.ts';
import { formatRungProgress } from './format.ts';

const USAGE = `Usage:
  tube upload <file> --title <title> [--description <text>] [--visibility public|unlisted|private]
  tube status <videoId>
  tube download <videoId> [--output <file>]   the video as one MP4 (default: its title, in this directory)
${ADMIN_USAGE}

Options (or environment variables):
  --server <url>       TUBE_URL       default http://localhost:3000
  --login <name>       TUBE_LOGIN     username or email
  --password <secret>  TUBE_PASSWORD
  --code <digits>      TUBE_CODE      authenticator code, for accounts with two-factor authentication
  --no-wait            return once the upload is done instead of following processing`;

class CliError extends Error {}

interface Client {
  server: string;
  token: string;
}

async function api<T>(client: Pick<Client, 'server'> & { token?: string }, method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`${client.server}${url}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(client.token ? { authorization: `Bearer ${client.token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON
    }
    throw new CliError(`${method} ${url} failed (${response.status}): ${message}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

/** Rewrites one status line in a terminal; prints plain lines when output is piped. */
function statusLine(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}`);
  else process.stderr.write(`${text}\n`);
}

async function login(server: string, loginName: string | undefined, password: string | undefined, code: string | undefined): Promise<Client> {
  if (!loginName || !password) throw new CliError('Give --login and --password (or TUBE_LOGIN and TUBE_PASSWORD)');
  const result = await api<LoginResult>({ server }, 'POST', '/api/v1/auth/login', { login: loginName, password });
  if (!('twoFactorRequired' in result)) return { server, token: result.accessToken };
  if (!code) throw new CliError('This account uses two-factor authentication: give --code (or TUBE_CODE) from your authenticator app');
  const second = await api<AuthResult>({ server }, 'POST', '/api/v1/auth/login/two-factor', { challengeToken: result.challengeToken, code });
  return { server, token: second.accessToken };
}

async function upload(client: Client, file: string, options: { title: string; description?: string; visibility?: string }): Promise<string> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new CliError(`No such file: ${file}`);
  const created = await api<CreatedVideo>(client, 'POST', '/api/v1/videos', {
    title: options.title,
    ...(options.description ? { description: options.description } : {}),
    ...(options.visibility ? { visibility: options.visibility } : {}),
  });
  if (info.size > created.upload.maxBytes) throw new CliError(`The file is ${info.size} bytes; this server accepts at most ${created.upload.maxBytes}`);
  const data = await readFile(file);
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const tusUpload = new tus.Upload(data, {
      endpoint: created.upload.url,
      chunkSize: 8 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      headers: { authorization: `Bearer ${client.token}` },
      metadata: { videoId: created.id, filename: path.basename(file), filetype: 'video/*' },
      onProgress(sent, total) {
        const rate = sent / Math.max(0.001, (Date.now() - started) / 1000);
        statusLine(`uploading  ${bar(sent / total)}  ${(rate / 1e6).toFixed(1)} MB/s`);
      },
      onSuccess: () => resolve(),
      onError: (error) => reject(new CliError(`Upload failed: ${error.message}`)),
    });
    tusUpload.start();
  });
  statusLine(`uploading  ${bar(1)}\n`);
  return created.id;
}

async function follow(client: Client, id: string): Promise<Video> {
  for (;;) {
    const video = await api<Video>(client, 'GET', `/api/v1/videos/${id}`);
    if (video.status === 'ready' || video.status === 'failed') {
      statusLine(`${video.status}\n`);
      return video;
    }
    if (video.status === 'queued') statusLine(`queued     ${video.queuePosition ? `position ${video.queuePosition}` : ''}`);
    else {
      const rungs = video.rungProgress.map(formatRungProgress).join(' · ');
      const label = video.status === 'playable' ? 'playable  ' : 'processing';
      statusLine(`${label} ${bar(video.progress ?? 0)}${video.etaSeconds ? `  about ${Math.ceil(video.etaSeconds)} s left` : ''}${rungs ? `  ${rungs}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Waits while the server makes the MP4 (202 with progress), then saves the file behind the signed link. */
async function download(client: Client, id: string, output: string | undefined): Promise<string> {
  for (;;) {
    const status = await api<DownloadStatus>(client, 'GET', `/api/v1/videos/${id}/download`);
    if (status.status === 'ready' && status.url && status.fileName) {
      statusLine(`preparing  ${bar(1)}\n`);
      const target = output ?? status.fileName;
      const response = await fetch(new URL(status.url, `${client.server}/`));
      if (!response.ok || !response.body) throw new CliError(`Downloading the file failed (${response.status})`);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(target));
      return target;
    }
    statusLine(`preparing  ${bar(status.progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      login: { type: 'string' },
      password: { type: 'string' },
      code: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      visibility: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, target] = positionals;
  if (command === 'admin' && !values.help) return adminCommand(target, positionals[2]);
  if (values.help || !command || !target) {
    console.log(USAGE);
    return values.help ? 0 : 64;
  }
  const server = (values.server ?? process.env.TUBE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  const client = await login(
    server,
    values.login ?? process.env.TUBE_LOGIN,
    values.password ?? process.env.TUBE_PASSWORD,
    values.code ?? process.env.TUBE_CODE,
  );
  if (command === 'upload') {
    const title = values.title ?? path.basename(target).replace(/\.[^.]+$/, '');
    const id = await upload(client, target, {
      title,
      ...(values.description ? { description: values.description } : {}),
      ...(values.visibility ? { visibility: values.visibility } : {}),
    });
    if (values['no-wait']) {
      console.log(id);
      return 0;
    }
    const video = await follow(client, id);
    if (video.status === 'failed') {
      console.error(`Processing failed: ${video.error ?? 'unknown reason'}`);
      return 1;
    }
    console.log(`${server}/watch/${id}`);
    return 0;
  }
  if (command === 'status') {
    const video = await api<Video>(client, 'GET', `/api/v1/videos/${target}`);
    console.log(JSON.stringify(video, null, 2));
    return 0;
  }
  if (command === 'download') {
    console.log(await download(client, target, values.output));
    return 0;
  }
  console.error(`Unknown command: ${command}\n\n${USAGE}`);
  return 64;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof CliError ? error.message : error);
      process.exit(1);
    },
  );
}
