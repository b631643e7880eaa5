import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('video look-ups', () => {
  it('share one database query among concurrent cache misses, then serve from the cache', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id, { title: 'Popular' });
    const repo = t.repositories.videos;
    const original = repo.findById.bind(repo);
    let queries = 0;
    repo.findById = (videoId: string) => {
      queries++;
      return original(videoId);
    };
    try {
      const responses = await Promise.all(Array.from({ length: 25 }, () => t.app.inject({ url: `/api/v1/videos/${id}` })));
      expect(responses.every((r) => r.statusCode === 200 && r.json().title === 'Popular')).toBe(true);
      expect(queries).toBe(1);
      await t.app.inject({ url: `/api/v1/videos/${id}/playback` });
      expect(queries).toBe(1);
      // An edit drops the entry; the next read queries again and sees the change.
      await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken), payload: { title: 'Renamed' } });
      const before = queries;
      expect((await t.app.inject({ url: `/api/v1/videos/${id}` })).json().title).toBe('Renamed');
      expect(queries).toBeLessThanOrEqual(before + 1);
    } finally {
      repo.findById = original;
    }
  });

  it('still applies each viewer’s access to a shared result', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id, { visibility: 'private' });
    const [anonymous, mine] = await Promise.all([
      t.app.inject({ url: `/api/v1/videos/${id}` }),
      t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) }),
    ]);
    expect(anonymous.statusCode).toBe(404);
    expect(mine.statusCode).toBe(200);
  });
});
