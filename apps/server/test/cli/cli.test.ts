import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo } from '../helpers/media.ts';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../../bin/tube.mjs');
let t: TestApp;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-cli-'));
  t = await startTestApp(FAST_TRANSCODE_ENV, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  await registerUser(t.app, 'cli-user', 'cli-password');
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('tube CLI', () => {
  it('logs in, uploads with a progress bar, follows processing and prints the watch URL', async () => {
    const file = await makeVideo(dir, 'holiday.mp4', { seconds: 2 });
    const { stdout, stderr } = await run(process.execPath, [cli, 'upload', file, '--title', 'From the CLI', '--visibility', 'unlisted'], {
      env: { ...process.env, TUBE_URL: base, TUBE_LOGIN: 'cli-user', TUBE_PASSWORD: 'cli-password' },
    });
    const match = new RegExp(`^${base}/watch/([0-9a-f-]{36})\\n$`).exec(stdout);
    expect(match, stdout).not.toBeNull();
    expect(stderr).toContain('uploading');
    expect(stderr).toContain('100%');
    expect(stderr).toContain('ready');
    const { accessToken } = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'cli-user', password: 'cli-password' } })).json();
    const video = (await t.app.inject({ url: `/api/v1/videos/${match![1]}`, headers: bearer(accessToken) })).json<Video>();
    expect(video).toMatchObject({ title: 'From the CLI', visibility: 'unlisted', status: 'ready' });
  });

  it('exits non-zero with the server’s reason when processing fails', async () => {
    const file = path.join(dir, 'not-a-video.mp4');
    await writeFile(file, 'plain text');
    const failure = await run(process.execPath, [cli, 'upload', file, '--server', base, '--login', 'cli-user', '--password', 'cli-password']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('Processing failed: This file is not a video Tube can read');
  });

  it('reports a wrong password clearly', async () => {
    const failure = await run(process.execPath, [cli, 'status', crypto.randomUUID(), '--server', base, '--login', 'cli-user', '--password', 'nope-nope']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('Wrong username/email or password');
  });
});
