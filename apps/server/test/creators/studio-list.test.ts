import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Playlist, StudioBulkResult, StudioVideoPage } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/client.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { account, type Account } from '../discovery/fixtures.ts';

let t: TestApp;
let creator: Account;
let stranger: Account;
let secondChannel: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp();
  creator = await account(t, 'studio_owner');
  stranger = await account(t, 'studio_stranger');
  const client = apiClient(t.app, creator.token);
  secondChannel = (await client.channels.create({ handle: 'second_studio', name: 'Second' })).id;
  const day = 86_400_000;
  ids.alpha = await insertReadyVideo(t, creator.id, { title: 'Alpha walkthrough', visibility: 'public', publishedAt: new Date(Date.now() - 3 * day) });
  ids.beta = await insertReadyVideo(t, creator.id, { title: 'Beta walkthrough', visibility: 'unlisted', channelId: secondChannel });
  ids.gamma = await insertReadyVideo(t, creator.id, { title: 'Gamma notes', visibility: 'private' });
  ids.draft = (await client.videos.create({ title: 'Draft idea', draft: true })).id;
  await t.infra.db.updateTable('videos').set({ view_count: 50 }).where('id', '=', ids.alpha).execute();
  await t.infra.db.updateTable('videos').set({ view_count: 500 }).where('id', '=', ids.gamma).execute();
  await t.infra.db
    .insertInto('video_stats_daily')
    .values([
      { video_id: ids.alpha, day: new Date(Date.now() - 2 * day).toISOString().slice(0, 10), views: 7, watch_seconds: 70 },
      { video_id: ids.alpha, day: new Date(Date.now() - 30 * day).toISOString().slice(0, 10), views: 100, watch_seconds: 1000 },
    ])
    .execute();
  await insertReadyVideo(t, stranger.id, { title: 'Alpha impostor' });
});
afterAll(async () => {
  await t?.close();
});

async function list(query = ''): Promise<StudioVideoPage> {
  const response = await t.app.inject({ url: `/api/v1/studio/videos${query}`, headers: creator.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<StudioVideoPage>();
}
const titles = (page: StudioVideoPage) => page.items.map((video) => video.title);

describe('the studio list', () => {
  it('searches, filters and sorts only my videos', async () => {
    expect(titles(await list())).toEqual(['Draft idea', 'Gamma notes', 'Beta walkthrough', 'Alpha walkthrough']);
    expect(titles(await list('?q=walk'))).toEqual(['Beta walkthrough', 'Alpha walkthrough']);
    expect(titles(await list('?q=%25'))).toEqual([]);
    expect(titles(await list('?visibility=draft'))).toEqual(['Draft idea']);
    expect(titles(await list('?visibility=private'))).toEqual(['Gamma notes']);
    expect(titles(await list('?status=awaiting_upload'))).toEqual(['Draft idea']);
    expect(titles(await list(`?channelId=${secondChannel}`))).toEqual(['Beta walkthrough']);
    expect(titles(await list('?sort=views'))[0]).toBe('Gamma notes');
    expect(titles(await list('?sort=title'))).toEqual(['Alpha walkthrough', 'Beta walkthrough', 'Draft idea', 'Gamma notes']);
    expect((await t.app.inject({ url: '/api/v1/studio/videos?sort=random', headers: creator.headers })).statusCode).toBe(400);
  });

  it('pages with a total, and gives each video its recent stats', async () => {
    const first = await list('?sort=title&limit=3');
    expect([titles(first), first.total]).toEqual([['Alpha walkthrough', 'Beta walkthrough', 'Draft idea'], 4]);
    const second = await list(`?sort=title&limit=3&cursor=${first.nextCursor}`);
    expect([titles(second), second.nextCursor]).toEqual([['Gamma notes'], null]);
    expect(first.stats[ids.alpha!]).toEqual({ viewsLast7Days: 7, watchSecondsLast7Days: 70, heldComments: 0 });
    expect(first.stats[ids.beta!]).toEqual({ viewsLast7Days: 0, watchSecondsLast7Days: 0, heldComments: 0 });
  });
});

describe('bulk actions', () => {
  it('set visibility and add to a playlist, reporting the videos they could not touch', async () => {
    const foreign = await insertReadyVideo(t, stranger.id, { title: 'Not mine' });
    const visibility = await t.app.inject({
      method: 'POST',
      url: '/api/v1/studio/videos/bulk',
      headers: creator.headers,
      payload: { ids: [ids.alpha, ids.gamma, foreign], action: 'set_visibility', visibility: 'unlisted' },
    });
    expect(visibility.statusCode, visibility.body).toBe(200);
    expect(visibility.json<StudioBulkResult>()).toEqual({ done: [ids.alpha, ids.gamma], failed: [{ id: foreign, message: 'Video not found' }] });
    expect(titles(await list('?visibility=unlisted')).sort()).toEqual(['Alpha walkthrough', 'Beta walkthrough', 'Gamma notes']);

    const playlist = (
      await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: creator.headers, payload: { title: 'Walkthroughs' } })
    ).json<Playlist>();
    const added = await t.app.inject({
      method: 'POST',
      url: '/api/v1/studio/videos/bulk',
      headers: creator.headers,
      payload: { ids: [ids.alpha, ids.beta, ids.draft], action: 'add_to_playlist', playlistId: playlist.id },
    });
    expect(added.json<StudioBulkResult>().done).toEqual([ids.alpha, ids.beta]);
    expect(added.json<StudioBulkResult>().failed.map((f) => f.id)).toEqual([ids.draft]);
    const stored = (await t.app.inject({ url: `/api/v1/playlists/${playlist.id}`, headers: creator.headers })).json<Playlist>();
    expect(stored.videoCount).toBe(2);

    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/studio/videos/bulk',
      headers: creator.headers,
      payload: { ids: [ids.alpha], action: 'set_visibility' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { code: 'visibility_required' } });
  });

  it('delete', async () => {
    const doomed = await insertReadyVideo(t, creator.id, { title: 'Doomed one' });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/studio/videos/bulk',
      headers: creator.headers,
      payload: { ids: [doomed], action: 'delete' },
    });
    expect(response.json<StudioBulkResult>()).toEqual({ done: [doomed], failed: [] });
    expect((await t.app.inject({ url: `/api/v1/videos/${doomed}`, headers: creator.headers })).statusCode).toBe(404);
  });
});
