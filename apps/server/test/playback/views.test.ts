import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { FAST_TRANSCODE_ENV, makeVideo } from '../helpers/media.ts';
import { uploadVideo } from '../helpers/videos.ts';

let database: TestDatabase;
let t: TestApp;
let dir: string;
let video: Video;
// A long flush interval: only explicit flushes and shutdown move counts in these tests.
const env = { ...FAST_TRANSCODE_ENV, VIEW_FLUSH_INTERVAL: '3600', VIEW_DEDUP_WINDOW: '600' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-views-'));
  database = await createTestDatabase();
  t = await startTestApp(env, 'all', { withWorker: true, database });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { accessToken } = await registerUser(t.app, 'creator');
  video = await uploadVideo(t, accessToken, await makeVideo(dir, 'clip.mp4', { seconds: 1 }));
});
afterAll(async () => {
  await t?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

const viewCount = async () =>
  Number((await t.infra.db.selectFrom('videos').select('view_count').where('id', '=', video.id).executeTakeFirstOrThrow()).view_count);

describe('view counting', () => {
  it('counts many concurrent viewers once each and a repeating viewer once, after a flush', async () => {
    const anonymous = Array.from({ length: 40 }, (_, i) =>
      t.app.inject({ method: 'POST', url: `/api/v1/videos/${video.id}/views`, headers: { 'user-agent': `Browser/${i}` }, remoteAddress: `10.0.0.${i}` }),
    );
    const users = await Promise.all(Array.from({ length: 5 }, () => registerUser(t.app)));
    const signedIn = users.map((user) => t.app.inject({ method: 'POST', url: `/api/v1/videos/${video.id}/views`, headers: bearer(user.accessToken) }));
    const repeats = Array.from({ length: 20 }, () =>
      t.app.inject({ method: 'POST', url: `/api/v1/videos/${video.id}/views`, headers: { 'user-agent': 'Same/1.0' }, remoteAddress: '10.9.9.9' }),
    );
    const responses = await Promise.all([...anonymous, ...signedIn, ...repeats]);
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(responses.filter((r) => r.json().counted).length).toBe(46);

    expect(await viewCount()).toBe(0);
    expect(await t.services.views.flush()).toBe(46);
    expect(await viewCount()).toBe(46);
    expect(await t.services.views.flush()).toBe(0);
    const response = (await t.app.inject({ url: `/api/v1/videos/${video.id}`, headers: { 'user-agent': 'fresh' } })).json<Video>();
    expect(response.viewCount).toBeGreaterThanOrEqual(0);
  });

  it('keeps counts buffered through a graceful shutdown', async () => {
    const before = await viewCount();
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        t.app.inject({ method: 'POST', url: `/api/v1/videos/${video.id}/views`, headers: { 'user-agent': `Late/${i}` }, remoteAddress: `10.1.0.${i}` }),
      ),
    );
    await t.close();
    const reader = await startTestApp(env, 'api', { database });
    try {
      const row = await reader.infra.db.selectFrom('videos').select('view_count').where('id', '=', video.id).executeTakeFirstOrThrow();
      expect(Number(row.view_count)).toBe(before + 7);
    } finally {
      await reader.close();
    }
    t = await startTestApp(env, 'api', { database });
  });

  it('does not count views of videos the viewer cannot see', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/videos/${crypto.randomUUID()}/views` });
    expect(response.statusCode).toBe(404);
  });
});
