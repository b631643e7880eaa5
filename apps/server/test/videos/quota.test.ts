import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo, tusUpload } from '../helpers/media.ts';
import { baseUrl } from '../helpers/videos.ts';

let t: TestApp;
let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-quota-'));
  file = await makeVideo(dir, 'clip.mp4', { seconds: 1 });
  // Room for one copy of the file, not two.
  const size = (await stat(file)).size;
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, USER_UPLOAD_QUOTA_BYTES: String(Math.floor(size * 1.5)) });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('per-user upload quota', () => {
  it('refuses the upload that would exceed it, with the figures, before any byte is sent', async () => {
    const { accessToken } = await registerUser(t.app);
    const create = async () =>
      (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(accessToken), payload: { title: 'q' } })).json<{ id: string }>().id;
    await tusUpload(file, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token: accessToken, videoId: await create() });
    const quota = (await t.app.inject({ url: '/api/v1/users/me/quota', headers: bearer(accessToken) })).json();
    expect(quota.usedBytes).toBe((await stat(file)).size);
    expect(quota.limitBytes).toBe(t.config.USER_UPLOAD_QUOTA_BYTES);
    await expect(tusUpload(file, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token: accessToken, videoId: await create() })).rejects.toThrow(
      /413.*would exceed your quota/,
    );
    // Another user has their own quota.
    const other = await registerUser(t.app);
    const otherVideo = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(other.accessToken), payload: { title: 'q' } })).json<{
      id: string;
    }>().id;
    expect((await tusUpload(file, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token: other.accessToken, videoId: otherVideo })).completed).toBe(true);
  });
});
