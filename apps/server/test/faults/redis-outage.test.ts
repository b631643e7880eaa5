import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { decodeAll, FAST_TRANSCODE_ENV, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { baseUrl } from '../helpers/videos.ts';
import { holdHeavyTestLock, portInRange, RedisServer } from '../helpers/faults.ts';
import type { ResilientCache } from '../../src/infra/cache/resilient-cache.ts';

/**
 * Redis is a cache and a coordination aid, never the source of truth: killing or hanging it must not lose a
 * video, stop public reads, or lock anybody out. The test runs its own redis-server so it can kill it.
 */
const redis = new RedisServer(portInRange(11));
let t: TestApp;
let base: string;
let dir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let readyVideo: Video;
let releaseHeavyLock: (() => Promise<void>) | undefined;

beforeAll(async () => {
  releaseHeavyLock = await holdHeavyTestLock();
  dir = await mkdtemp(path.join(tmpdir(), 'tube-redis-outage-'));
  await redis.start();
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300', JOB_LEASE_SECONDS: '10' }, 'all', {
    withWorker: true,
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = baseUrl(t);
  owner = await registerUser(t.app);
}, 900_000);
afterAll(async () => {
  redis.resume();
  await t?.close();
  await redis.kill();
  await rm(dir, { recursive: true, force: true });
  await releaseHeavyLock?.();
});

const getVideo = async (id: string) => (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).json<Video>();

describe('Redis killed in the middle of a transcode', () => {
  it('still ends with the video ready, its media in place and playable', async () => {
    const source = await makeVideo(dir, 'clip.mp4', { width: 640, height: 360, seconds: 8 });
    const created = (
      await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: 'Through the outage' } })
    ).json<{ id: string }>();
    await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: owner.accessToken, videoId: created.id });
    await waitFor(async () => (await getVideo(created.id)).status === 'processing', 30_000, 'the transcode to start');
    await redis.kill();

    readyVideo = await waitFor(
      async () => {
        const video = await getVideo(created.id);
        return video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      60_000,
      'the transcode to finish',
    );
    expect(readyVideo.status).toBe('ready');
    // The cache invalidation after markReady failed; before the fix its error deleted the published files.
    const master = await fetch(`${base}${readyVideo.playback!.hls}`);
    expect(master.status).toBe(200);
    await decodeAll(`${base}${readyVideo.playback!.hls}`);
  });
});

describe('with Redis down', () => {
  it('serves public reads, playback and segments fast, and keeps logins and revocations working', async () => {
    expect(readyVideo?.status).toBe('ready');
    const master = await (await fetch(`${base}${readyVideo.playback!.hls}`)).text();
    const mediaPlaylist = master.split('\n').find((line) => line && !line.startsWith('#'))!;
    const playlistUrl = new URL(mediaPlaylist, `${base}${readyVideo.playback!.hls}`).toString();
    const segment = (await (await fetch(playlistUrl)).text()).split('\n').find((line) => line.endsWith('.m4s'))!;
    const segmentUrl = new URL(segment, playlistUrl).toString();

    const targets = [`${base}/api/v1/videos/${readyVideo.id}`, `${base}/api/v1/videos/${readyVideo.id}/playback`, segmentUrl, playlistUrl];
    let served = 0;
    let slowest = 0;
    const total = 120;
    for (let i = 0; i < total; i++) {
      const started = Date.now();
      const response = await fetch(targets[i % targets.length]!);
      await response.arrayBuffer();
      slowest = Math.max(slowest, Date.now() - started);
      if (response.status === 200) served++;
    }
    expect(served / total).toBeGreaterThanOrEqual(0.95);
    // Fail fast: no request waits on an offline queue or a reconnect (ioredis would hold it ~10 s).
    expect(slowest).toBeLessThan(2000);

    // Sign-in works (rate limits continue per process), and so does a signed-in request.
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: owner.user.username, password: 'correct horse' } });
    expect(login.statusCode).toBe(200);
    const session = login.json<{ accessToken: string; refreshToken: string }>();
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(session.accessToken) })).statusCode).toBe(200);
    // A sign-out during the outage cannot reach the cache; PostgreSQL still refuses the session's access token.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: session.refreshToken } })).statusCode).toBe(204);
    const afterLogout = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(session.accessToken) });
    expect(afterLogout.statusCode).toBe(401);
    expect(afterLogout.json().error.code).toBe('session_revoked');

    // Views are buffered in the process and reach PostgreSQL at the next flush.
    const before = (await t.infra.db.selectFrom('videos').select('view_count').where('id', '=', readyVideo.id).executeTakeFirstOrThrow()).view_count;
    const view = await t.app.inject({ method: 'POST', url: `/api/v1/videos/${readyVideo.id}/views`, headers: { 'user-agent': 'outage-viewer' } });
    expect(view.json()).toEqual({ counted: true });
    await t.services.views.flush();
    const after = (await t.infra.db.selectFrom('videos').select('view_count').where('id', '=', readyVideo.id).executeTakeFirstOrThrow()).view_count;
    expect(after).toBe(before + 1);

    // Readiness reports the cache but stays ready: a Redis outage must not take every API node out of rotation.
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.cache.ok).toBe(false);
    expect((await t.app.inject({ url: '/metrics' })).body).toMatch(/tube_dependency_errors_total\{dependency="redis"\} [1-9]/);
  });

  it('uses Redis again once it is back, without a restart', async () => {
    await redis.start();
    const probe = new Redis(redis.url);
    try {
      const key = `${t.config.REDIS_KEY_PREFIX}video:${readyVideo.id}`;
      await waitFor(
        async () => {
          await t.app.inject({ url: `/api/v1/videos/${readyVideo.id}` });
          return (await probe.exists(key)) === 1;
        },
        15_000,
        'the video to be cached in Redis again',
      );
    } finally {
      probe.disconnect();
    }
  });
});

describe('with Redis hung (SIGSTOP)', () => {
  it('answers within the command timeout, and applies invalidations made meanwhile once Redis answers again', async () => {
    // Cached in Redis with the old title.
    await t.app.inject({ url: `/api/v1/videos/${readyVideo.id}` });
    redis.pause();
    try {
      const started = Date.now();
      const edit = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/videos/${readyVideo.id}`,
        headers: bearer(owner.accessToken),
        payload: { title: 'Renamed during the hang' },
      });
      expect(edit.statusCode).toBe(200);
      const read = await t.app.inject({ url: `/api/v1/videos/${readyVideo.id}` });
      expect(read.json().title).toBe('Renamed during the hang');
      expect(Date.now() - started).toBeLessThan(3000);
      expect((t.infra.cache as ResilientCache).pendingInvalidations).toBeGreaterThan(0);
    } finally {
      redis.resume();
    }
    // Redis still holds the stale entry until the remembered invalidation is replayed.
    await waitFor(async () => (t.infra.cache as ResilientCache).pendingInvalidations === 0, 15_000, 'the invalidation to be replayed');
    const read = await t.app.inject({ url: `/api/v1/videos/${readyVideo.id}` });
    expect(read.json().title).toBe('Renamed during the hang');
  });
});
