import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Playback, Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, ffprobeJson, makeVideo } from '../helpers/media.ts';
import { baseUrl, uploadVideo } from '../helpers/videos.ts';
import { decodePreparedVideo } from '../../src/videos/video-cache.ts';

let t: TestApp;
let base: string;
let dir: string;
let owner: string;
let stranger: string;
let video: Video;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-access-'));
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, MEDIA_URL_TTL: '3600' }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = baseUrl(t);
  owner = (await registerUser(t.app, 'owner')).accessToken;
  stranger = (await registerUser(t.app, 'stranger')).accessToken;
  video = await uploadVideo(t, owner, await makeVideo(dir, 'clip.mp4', { seconds: 2 }), { title: 'Matrix' });
  expect(video.status).toBe('ready');
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

type Viewer = 'anonymous' | 'other user' | 'owner';
const headersOf = (viewer: Viewer) => (viewer === 'owner' ? bearer(owner) : viewer === 'other user' ? bearer(stranger) : {});
const unsignedManifest = () => `/media/${video.playback!.hls.split('/media/')[1]!.replace(/^t\/[^/]+\//, '')}`;

async function setVisibility(visibility: Video['visibility']) {
  const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${video.id}`, headers: bearer(owner), payload: { visibility } });
  expect(response.statusCode).toBe(200);
}

/** The manifest URL a viewer can obtain: from the playback endpoint if allowed, else the plain path. */
async function manifestUrlFor(viewer: Viewer): Promise<string> {
  const playback = await t.app.inject({ url: `/api/v1/videos/${video.id}/playback`, headers: headersOf(viewer) });
  return playback.statusCode === 200 ? playback.json<Playback>().hls : unsignedManifest();
}

const matrix: [Video['visibility'], Viewer, { metadata: number; playback: number; manifest: number; segment: number }][] = [
  ['public', 'anonymous', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
  ['public', 'other user', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
  ['public', 'owner', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
  ['unlisted', 'anonymous', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
  ['unlisted', 'other user', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
  ['unlisted', 'owner', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
  ['private', 'anonymous', { metadata: 404, playback: 404, manifest: 403, segment: 403 }],
  ['private', 'other user', { metadata: 404, playback: 404, manifest: 403, segment: 403 }],
  ['private', 'owner', { metadata: 200, playback: 200, manifest: 200, segment: 200 }],
];

describe('access-control matrix', () => {
  it.each(matrix)('%s video, %s viewer', async (visibility, viewer, expected) => {
    await setVisibility(visibility);
    const metadata = await t.app.inject({ url: `/api/v1/videos/${video.id}`, headers: headersOf(viewer) });
    expect(metadata.statusCode, 'metadata').toBe(expected.metadata);
    const playback = await t.app.inject({ url: `/api/v1/videos/${video.id}/playback`, headers: headersOf(viewer) });
    expect(playback.statusCode, 'playback').toBe(expected.playback);
    if (playback.statusCode === 200) {
      const links = playback.json<Playback>();
      expect(links.hls.includes('/media/t/'), 'signed links for non-public videos').toBe(visibility !== 'public');
      expect(links.expiresAt === null).toBe(visibility === 'public');
    }

    const manifestUrl = await manifestUrlFor(viewer);
    const manifest = await fetch(`${base}${manifestUrl}`);
    expect(manifest.status, 'manifest').toBe(expected.manifest);
    const segmentUrl = manifestUrl.replace('master.m3u8', 'seg-0-00001.m4s');
    const segment = await fetch(`${base}${segmentUrl}`);
    expect(segment.status, 'segment').toBe(expected.segment);
    if (visibility !== 'public') {
      // Without the signature, non-public media is refused even to someone who knows the path.
      expect((await fetch(`${base}${unsignedManifest()}`)).status).toBe(403);
    }
  });

  it('the signed links play: every rung of an unlisted video decodes through them', async () => {
    await setVisibility('unlisted');
    const links = (await t.app.inject({ url: `/api/v1/videos/${video.id}/playback` })).json<Playback>();
    const probe = await ffprobeJson(`${base}${links.hls}`);
    expect(
      probe.streams
        .filter((s) => s.codec_type === 'video')
        .map((s) => s.height)
        .sort(),
    ).toEqual([144, 240]);
  });
});

describe('signatures', () => {
  let signedManifest: string;
  beforeAll(async () => {
    await setVisibility('private');
    signedManifest = (await t.app.inject({ url: `/api/v1/videos/${video.id}/playback`, headers: bearer(owner) })).json<Playback>().hls;
  });

  it('a forged signature is refused with 403', async () => {
    const forged = signedManifest.replace(/(\/media\/t\/\d+\.)(.)/, (_m, head: string, c: string) => `${head}${c === 'A' ? 'B' : 'A'}`);
    expect(forged).not.toBe(signedManifest);
    const response = await fetch(`${base}${forged}`);
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('invalid_signature');
  });

  it('a longer expiry with the old signature is refused', async () => {
    const extended = signedManifest.replace(/\/media\/t\/(\d+)\./, (_m, expires: string) => `/media/t/${Number(expires) + 86_400}.`);
    expect((await fetch(`${base}${extended}`)).status).toBe(403);
  });

  it('an expired link is refused with 403 and says so', async () => {
    const prefix = unsignedManifest()
      .replace(/^\/media\//, '')
      .replace(/\/master\.m3u8$/, '');
    // Signed for the video's current link generation (the matrix above narrowed its visibility a few times).
    const { media_link_generation: linkGeneration } = await t.infra.db
      .selectFrom('videos')
      .select('media_link_generation')
      .where('id', '=', video.id)
      .executeTakeFirstOrThrow();
    const old = t.services.mediaUrls.signedUrl({ prefix, linkGeneration }, 'master.m3u8', Date.now() - 3 * 3600 * 1000);
    expect(old.expiresAt.getTime()).toBeLessThan(Date.now());
    const response = await fetch(`${base}${old.url}`);
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('link_expired');
  });

  it('a token for one video does not open another', async () => {
    const other = await uploadVideo(t, owner, await makeVideo(dir, 'other.mp4', { seconds: 1 }), { title: 'Other', visibility: 'private' });
    const otherPath = (await t.app.inject({ url: `/api/v1/videos/${other.id}/playback`, headers: bearer(owner) })).json<Playback>().hls;
    const token = /\/media\/t\/([^/]+)\//.exec(signedManifest)![1];
    const crossed = otherPath.replace(/\/media\/t\/[^/]+\//, `/media/t/${token}/`);
    expect((await fetch(`${base}${crossed}`)).status).toBe(403);
    expect((await fetch(`${base}${otherPath}`)).status).toBe(200);
  });

  it.each([
    '/media/videos/../../../etc/passwd',
    '/media/videos/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/media/..%2f..%2fpostgres.secret',
    '/media/uploads/' + '00000000-0000-0000-0000-000000000000',
    '/media/videos/00000000-0000-0000-0000-000000000000/abc/master.m3u8',
  ])('%s → 404', async (url) => {
    const response = await fetch(`${base}${url}`);
    expect(response.status).toBe(404);
  });

  it('a path under another version of the same video → 404', async () => {
    const stale = unsignedManifest().replace(/\/videos\/([^/]+)\/[^/]+\//, '/videos/$1/00000000/');
    expect((await fetch(`${base}${stale}`)).status).toBe(404);
  });
});

describe('metadata and playback caching', () => {
  it('public metadata carries an ETag and answers 304 to a matching If-None-Match', async () => {
    await setVisibility('public');
    const first = await t.app.inject({ url: `/api/v1/videos/${video.id}` });
    expect(first.headers['cache-control']).toBe('public, max-age=10');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await t.app.inject({ url: `/api/v1/videos/${video.id}`, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const owners = await t.app.inject({ url: `/api/v1/videos/${video.id}`, headers: bearer(owner) });
    expect(owners.headers['cache-control']).toBe('private, no-cache');
  });

  it('playback links are cached and the cache is dropped when visibility changes', async () => {
    await setVisibility('public');
    await t.app.inject({ url: `/api/v1/videos/${video.id}/playback` });
    const cached = await t.infra.cache.get(`video:${video.id}`);
    const hlsOf = (entry: string) => (JSON.parse(decodePreparedVideo(entry)!.playback!.body) as Playback).hls;
    expect(hlsOf(cached!)).not.toContain('/media/t/');
    await setVisibility('unlisted');
    const refreshed = await t.infra.cache.get(`video:${video.id}`);
    expect(refreshed === null || hlsOf(refreshed).includes('/media/t/')).toBe(true);
    const links = (await t.app.inject({ url: `/api/v1/videos/${video.id}/playback` })).json<Playback>();
    expect(links.hls).toContain('/media/t/');
    // The previously public URL stops working immediately.
    expect((await fetch(`${base}${unsignedManifest()}`)).status).toBe(403);
  });
});
