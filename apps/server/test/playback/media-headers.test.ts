import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo } from '../helpers/media.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';
import { baseUrl, uploadVideo } from '../helpers/videos.ts';

let dir: string;
let s3: S3Server;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-media-'));
  s3 = await startS3Server(dir);
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const drivers = {
  fs: (): Record<string, string> => ({}),
  s3: (): Record<string, string> => s3StorageEnv(s3),
};

describe.each(Object.keys(drivers) as (keyof typeof drivers)[])('origin media route on the %s driver', (driver) => {
  let t: TestApp;
  let base: string;
  let video: Video;
  const media = (file: string) => `${base}${video.playback!.hls.replace('master.m3u8', file)}`;

  beforeAll(async () => {
    t = await startTestApp({ ...FAST_TRANSCODE_ENV, ...drivers[driver]() }, 'all', { withWorker: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = baseUrl(t);
    const { accessToken } = await registerUser(t.app);
    video = await uploadVideo(t, accessToken, await makeVideo(dir, `${driver}.mp4`, { seconds: 2 }));
    expect(video.status).toBe('ready');
  });
  afterAll(() => t?.close());

  it.each([
    ['master.m3u8', 'application/vnd.apple.mpegurl', 'public, max-age=10'],
    ['manifest.mpd', 'application/dash+xml', 'public, max-age=10'],
    ['init-0.m4s', 'video/iso.segment', 'public, max-age=31536000, immutable'],
    ['seg-0-00001.m4s', 'video/iso.segment', 'public, max-age=31536000, immutable'],
    ['poster.jpg', 'image/jpeg', 'public, max-age=31536000, immutable'],
    ['storyboard.jpg', 'image/jpeg', 'public, max-age=31536000, immutable'],
    ['storyboard.vtt', 'text/vtt; charset=utf-8', 'public, max-age=31536000, immutable'],
  ])('%s: %s, cache %s, CORS, validators', async (file, type, cacheControl) => {
    const response = await fetch(media(file), { headers: { origin: 'https://player.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(response.headers.get('cache-control')).toBe(cacheControl);
    expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('etag')).toMatch(/^(W\/)?".+"$/);
    expect(new Date(response.headers.get('last-modified')!).getTime()).toBeGreaterThan(0);
    const body = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(body.length);
  });

  it('answers byte ranges with 206 and exactly those bytes', async () => {
    const whole = Buffer.from(await (await fetch(media('seg-0-00001.m4s'))).arrayBuffer());
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=100-', 100, whole.length - 1],
      ['bytes=-50', whole.length - 50, whole.length - 1],
      [`bytes=10-${whole.length + 1000}`, 10, whole.length - 1],
    ] as const) {
      const response = await fetch(media('seg-0-00001.m4s'), { headers: { range } });
      expect(response.status, range).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${whole.length}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(whole.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const size = Number((await fetch(media('poster.jpg'), { method: 'HEAD' })).headers.get('content-length'));
    expect(size).toBeGreaterThan(0);
    const response = await fetch(media('poster.jpg'), { headers: { range: `bytes=${size + 10}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${size}`);
  });

  it('answers a conditional GET with 304 when the ETag matches', async () => {
    const first = await fetch(media('init-0.m4s'));
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await fetch(media('init-0.m4s'), { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const changed = await fetch(media('init-0.m4s'), { headers: { 'if-none-match': '"something-else"' } });
    expect(changed.status).toBe(200);
    await changed.arrayBuffer();
  });

  it('a file that does not exist under a valid prefix → 404', async () => {
    expect((await fetch(media('seg-0-99999.m4s'))).status).toBe(404);
  });
});

describe('S3_PRESIGNED_MEDIA', () => {
  it('answers media requests with a redirect to a presigned S3 URL after the access check', async () => {
    const t = await startTestApp({ ...FAST_TRANSCODE_ENV, ...s3StorageEnv(s3), S3_PRESIGNED_MEDIA: 'true' }, 'all', { withWorker: true });
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const base = baseUrl(t);
      const { accessToken } = await registerUser(t.app);
      const video = await uploadVideo(t, accessToken, await makeVideo(dir, 'presigned.mp4', { seconds: 1 }), { title: 'p', visibility: 'unlisted' });
      const segment = `${base}${video.playback!.hls.replace('master.m3u8', 'seg-0-00001.m4s')}`;
      const redirect = await fetch(segment, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location')!;
      expect(location.startsWith(s3.settings.endpoint!)).toBe(true);
      expect(location).toContain('X-Amz-Signature=');
      const followed = await fetch(segment);
      expect(followed.status).toBe(200);
      expect((await t.infra.storage.stat(new URL(location).pathname.replace(`/${s3.settings.bucket}/`, '')))?.size).toBe(
        (await followed.arrayBuffer()).byteLength,
      );
      // The access check still applies before any redirect: no signature, no link.
      const unsigned = `${base}/media/${video.playback!.hls.split('/media/t/')[1]!.replace(/^[^/]+\//, '')}`;
      expect((await fetch(unsigned, { redirect: 'manual' })).status).toBe(403);
    } finally {
      await t.close();
    }
  });
});
