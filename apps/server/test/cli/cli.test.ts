import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, FFPROBE, makeVideo } from '../helpers/media.ts';
import { currentTotpCode } from '../../src/auth/two-factor.ts';

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
    const { accessToken } = (
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'cli-user', password: 'cli-password' } })
    ).json();
    const video = (await t.app.inject({ url: `/api/v1/videos/${match![1]}`, headers: bearer(accessToken) })).json<Video>();
    expect(video).toMatchObject({ title: 'From the CLI', visibility: 'unlisted', status: 'ready' });

    // The owner downloads it as one MP4, saved under its title in the working directory.
    const downloaded = await run(process.execPath, [cli, 'download', video.id], {
      cwd: dir,
      env: { ...process.env, TUBE_URL: base, TUBE_LOGIN: 'cli-user', TUBE_PASSWORD: 'cli-password' },
    });
    expect(downloaded.stdout).toBe('From the CLI.mp4\n');
    expect(downloaded.stderr).toContain('preparing');
    const probe = JSON.parse((await run(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_format', path.join(dir, 'From the CLI.mp4')])).stdout);
    expect(probe.format.format_name).toContain('mp4');
  });

  it('exits non-zero with the server’s reason when processing fails', async () => {
    const file = path.join(dir, 'not-a-video.mp4');
    await writeFile(file, 'plain text');
    const failure = await run(process.execPath, [cli, 'upload', file, '--server', base, '--login', 'cli-user', '--password', 'cli-password']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('Processing failed: This file is not a video Tube can read');
  });

  it('asks for the code of an account with two-factor authentication, and signs in with it', async () => {
    const user = await registerUser(t.app, 'cli-2fa', 'cli-password');
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/v1/account/two-factor/setup', headers: bearer(user.accessToken) })).json<{
      secret: string;
    }>();
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/two-factor/enable',
      headers: bearer(user.accessToken),
      payload: { code: currentTotpCode(secret, Date.now() - 30_000) },
    });
    const args = [cli, 'status', crypto.randomUUID(), '--server', base, '--login', 'cli-2fa', '--password', 'cli-password'];
    const withoutCode = await run(process.execPath, args).catch((error: { code: number; stderr: string }) => error);
    expect((withoutCode as { stderr: string }).stderr).toContain('give --code');
    // Past sign-in, the unknown video id is the next error.
    const withCode = await run(process.execPath, [...args, '--code', currentTotpCode(secret)]).catch((error: { code: number; stderr: string }) => error);
    expect((withCode as { stderr: string }).stderr).toMatch(/GET \/api\/v1\/videos\/.+ failed \(404\)/);
  });

  it('reports a wrong password clearly', async () => {
    const failure = await run(process.execPath, [cli, 'status', crypto.randomUUID(), '--server', base, '--login', 'cli-user', '--password', 'nope-nope']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('Wrong username/email or password');
  });
});
