import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadStatus, Playback, Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo, waitFor } from '../helpers/media.ts';
import { startNginx, type RunningNginx } from '../helpers/nginx.ts';
import { uploadVideo } from '../helpers/videos.ts';

/**
 * The shipped deploy/nginx configuration in front of one Tube process (fs storage): media files come from
 * disk through nginx, but only after Tube's own access check says so.
 */
let t: TestApp;
let dir: string;
let mediaDir: string;
let fsFront: RunningNginx;
let proxyFront: RunningNginx;
let owner: string;
let video: Video;
let prefix: string;
let segment: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-front-'));
  mediaDir = path.join(dir, 'media');
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, MEDIA_DIR: mediaDir }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const upstream = `server 127.0.0.1:${(t.app.server.address() as AddressInfo).port};`;
  [fsFront, proxyFront] = await Promise.all([
    startNginx({ upstreamServers: upstream, mediaMode: 'fs', mediaDir }),
    startNginx({ upstreamServers: upstream, mediaMode: 'proxy', mediaDir: '/nonexistent' }),
  ]);
  owner = (await registerUser(t.app)).accessToken;
  video = await uploadVideo(t, owner, await makeVideo(dir, 'clip.mp4', { seconds: 2 }), { title: 'Front', visibility: 'public' });
  expect(video.status).toBe('ready');
  prefix = /\/media\/(videos\/[^/]+\/[^/]+)\//.exec(video.playback!.hls)![1]!;
  segment = (await readdir(path.join(mediaDir, prefix))).find((file) => file.endsWith('.m4s'))!;
}, 120_000);
afterAll(async () => {
  if (process.env.DEBUG_NGINX) console.log(await fsFront?.errorLog(), await proxyFront?.errorLog());
  await fsFront?.stop();
  await proxyFront?.stop();
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const setVisibility = async (visibility: Video['visibility']) => {
  const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${video.id}`, headers: bearer(owner), payload: { visibility } });
  expect(response.statusCode).toBe(200);
};

describe('the nginx media front (fs mode)', () => {
  it('serves a public segment from disk itself, byte-identical, with the headers Tube would send', async () => {
    const response = await fetch(`${fsFront.baseUrl}/media/${prefix}/${segment}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(path.join(mediaDir, prefix, segment)))).toBe(true);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-type')).toBe('video/iso.segment');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    // nginx's own ETag (mtime-size), not Tube's: the bytes came from nginx, not through the Node process.
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    const manifest = await fetch(`${fsFront.baseUrl}/media/${prefix}/master.m3u8`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('cache-control')).toBe('public, max-age=10');
    expect(manifest.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
  });

  it('asks Tube once for many files of one video (the verdict is cached per video version)', async () => {
    const authChecks = async () => {
      const metric = (await t.infra.metrics.httpDuration.get()).values.find(
        (v) => v.metricName === 'tube_http_request_duration_seconds_count' && v.labels.route === '/media-auth',
      );
      return metric?.value ?? 0;
    };
    const files = (await readdir(path.join(mediaDir, prefix))).filter((file) => file.endsWith('.m4s')).slice(0, 6);
    const before = await authChecks();
    for (const file of files) expect((await fetch(`${fsFront.baseUrl}/media/${prefix}/${file}`)).status).toBe(200);
    expect(files.length).toBeGreaterThan(2);
    expect((await authChecks()) - before).toBeLessThanOrEqual(1);
  });

  it('answers a Range request for a segment with 206', async () => {
    const response = await fetch(`${fsFront.baseUrl}/media/${prefix}/${segment}`, { headers: { range: 'bytes=0-99' } });
    expect(response.status).toBe(206);
    expect((await response.arrayBuffer()).byteLength).toBe(100);
  });

  it("refuses unlisted media without a signature with Tube's own JSON error, and serves it with the signed links", async () => {
    const unlisted = await uploadVideo(t, owner, await makeVideo(dir, 'unlisted.mp4', { seconds: 1 }), { title: 'Unlisted', visibility: 'unlisted' });
    const links = (await t.app.inject({ url: `/api/v1/videos/${unlisted.id}/playback` })).json<Playback>();
    const signedManifest = links.hls;
    const unsignedManifest = signedManifest.replace(/\/media\/t\/[^/]+\//, '/media/');
    const refused = await fetch(`${fsFront.baseUrl}${unsignedManifest}`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('signature_required');

    const signed = await fetch(`${fsFront.baseUrl}${signedManifest}`);
    expect(signed.status).toBe(200);
    expect(signed.headers.get('cache-control')).toBe('private, max-age=10');
    const forged = await fetch(`${fsFront.baseUrl}${signedManifest.replace(/\/media\/t\/(\d+)\.[^/]+\//, '/media/t/$1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/')}`);
    expect(forged.status).toBe(403);
  });

  it('stops serving a video made private once the cached verdict (10 s) has expired', async () => {
    await setVisibility('private');
    try {
      await expect.poll(async () => (await fetch(`${fsFront.baseUrl}/media/${prefix}/${segment}`)).status, { timeout: 15_000, interval: 500 }).toBe(403);
    } finally {
      await setVisibility('public');
    }
  }, 20_000);

  it('lets Tube answer names outside the media patterns (404 JSON)', async () => {
    const response = await fetch(`${fsFront.baseUrl}/media/${prefix}/no%20such%20file`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('passes download links (one level below a prefix) to Tube, which sends the MP4 as an attachment', async () => {
    const ready = await waitFor(
      async () => {
        const response = await t.app.inject({ url: `/api/v1/videos/${video.id}/download`, headers: { ...bearer(owner), accept: 'application/json' } });
        return response.statusCode === 200 ? response.json<DownloadStatus>() : undefined;
      },
      60_000,
      'the download file',
    );
    const response = await fetch(`${fsFront.baseUrl}${ready.url}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Front.mp4"; filename*=UTF-8''Front.mp4`);
    expect(Buffer.from(await response.arrayBuffer()).length).toBe(ready.bytes);
  });
});

describe('the nginx media front (proxy mode, for S3)', () => {
  it('fetches a segment through Tube once, then serves it from its cache', async () => {
    await expect.poll(async () => (await fetch(`${proxyFront.baseUrl}/media/${prefix}/${segment}`)).status, { timeout: 15_000, interval: 500 }).toBe(200);
    const again = await fetch(`${proxyFront.baseUrl}/media/${prefix}/${segment}`);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(Buffer.from(await again.arrayBuffer()).equals(await readFile(path.join(mediaDir, prefix, segment)))).toBe(true);
  }, 20_000);
});

describe('GET /media-auth', () => {
  it("answers 204 for a servable path and the media route's own refusal otherwise", async () => {
    const ask = (uri: string) => t.app.inject({ url: '/media-auth', headers: { 'x-original-uri': uri } });
    const ok = await ask(`/media/${prefix}/${segment}?x=1`);
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['cache-control']).toBe('private, max-age=10');
    expect((await ask(`/media/videos/${crypto.randomUUID()}/v1/${segment}`)).statusCode).toBe(404);
    expect((await ask(`/media/t/123.abc/${prefix}/${segment}`)).statusCode).toBe(403);
    expect((await ask('/etc/passwd')).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/media-auth' })).statusCode).toBe(404);
  });
});
