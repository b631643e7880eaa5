import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPage, Video, VideoPage } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/media.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { account, type Account } from '../discovery/fixtures.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { publishingJobs } from '../../src/videos/publishing.jobs.ts';

let t: TestApp;
let stopWorker: (() => Promise<void>) | null = null;
let creator: Account;
let fan: Account;
let stranger: Account;

beforeAll(async () => {
  t = await startTestApp();
  creator = await account(t, 'scheduler');
  fan = await account(t, 'fan');
  stranger = await account(t, 'stranger');
  await t.infra.db.insertInto('subscriptions').values({ user_id: fan.id, channel_id: creator.channelId }).execute();
});
afterAll(async () => {
  await stopWorker?.();
  await t?.close();
});

async function get<T>(url: string, who?: Account): Promise<{ status: number; body: T }> {
  const response = await t.app.inject({ url, ...(who ? { headers: who.headers } : {}) });
  return { status: response.statusCode, body: response.json<T>() };
}

/** Every place a viewer could find the video: direct link, home listing, channel, subscription feed, search, trending, inbox. */
async function whereFanSees(id: string, title: string): Promise<string[]> {
  await t.services.discovery.refreshTrending();
  const places: Record<string, string> = {
    direct: `/api/v1/videos/${id}`,
    playback: `/api/v1/videos/${id}/playback`,
    latest: '/api/v1/videos',
    channel: `/api/v1/channels/${creator.channelId}/videos`,
    subscriptions: '/api/v1/feed/subscriptions',
    search: `/api/v1/search?q=${encodeURIComponent(title)}`,
    trending: '/api/v1/feed/trending',
    notifications: '/api/v1/notifications',
  };
  const seen: string[] = [];
  for (const [place, url] of Object.entries(places)) {
    const { status, body } = await get<unknown>(url, fan);
    if (status === 200 && JSON.stringify(body).includes(id)) seen.push(place);
  }
  return seen;
}

describe('scheduled publishing', () => {
  it('keeps a scheduled video invisible everywhere until its time, then publishes it and notifies subscribers', async () => {
    const title = 'Premiere of the zebra documentary';
    const id = await insertReadyVideo(t, creator.id, { title, visibility: 'private', publishedAt: new Date(Date.now() - 3_600_000) });
    const publishAt = new Date(Date.now() + 4_000);
    const scheduled = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${id}`,
      headers: creator.headers,
      payload: { publishAt: publishAt.toISOString(), visibility: 'public' },
    });
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    expect(scheduled.json<Video>()).toMatchObject({ visibility: 'private', scheduledAt: publishAt.toISOString(), scheduledVisibility: 'public', draft: false });

    expect(await whereFanSees(id, title)).toEqual([]);
    expect((await get(`/api/v1/videos/${id}`)).status).toBe(404);
    expect((await get(`/api/v1/videos/${id}`, stranger)).status).toBe(404);
    // Its owner sees the premiere card's data on their channel; nobody else does.
    expect((await get<VideoPage>(`/api/v1/channels/${creator.channelId}/scheduled`, creator)).body.items.map((v) => v.id)).toEqual([id]);
    expect((await get<VideoPage>(`/api/v1/channels/${creator.channelId}/scheduled`, stranger)).body.items).toEqual([]);

    // The worker publishes it at the scheduled moment (a delayed job, not the minute sweep).
    stopWorker = await startWorker(t.infra, publishingJobs(t.services.videos));
    const published = await waitFor(
      async () => {
        const { status, body } = await get<Video>(`/api/v1/videos/${id}`, stranger);
        return status === 200 ? body : undefined;
      },
      20_000,
      'the scheduled video to be published',
    );
    expect(Date.now()).toBeGreaterThanOrEqual(publishAt.getTime());
    expect(published).toMatchObject({ visibility: 'public', scheduledAt: null, publishedAt: publishAt.toISOString() });
    await waitFor(async () => (await whereFanSees(id, title)).length === 8, 10_000, 'the video to be listed everywhere');
    const inbox = (await get<NotificationPage>('/api/v1/notifications', fan)).body;
    expect(inbox.items.map((item) => [item.kind, item.video?.id])).toEqual([['video_published', id]]);
    expect(new Date(inbox.items[0]!.createdAt).getTime()).toBeGreaterThanOrEqual(publishAt.getTime());
  });

  it('refuses a time in the past and a private target, with readable errors', async () => {
    const id = await insertReadyVideo(t, creator.id, { visibility: 'private' });
    const past = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${id}`,
      headers: creator.headers,
      payload: { publishAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({ error: { code: 'publish_at_in_past', message: expect.stringMatching(/future/) } });
    const privateTarget = await t.app.inject({
      method: 'POST',
      url: '/api/v1/videos',
      headers: creator.headers,
      payload: { title: 'x', visibility: 'private', publishAt: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(privateTarget.statusCode).toBe(400);
    expect(privateTarget.json()).toMatchObject({ error: { code: 'invalid_publish_visibility' } });
    const garbage = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: creator.headers, payload: { publishAt: 'tomorrow' } });
    expect(garbage.statusCode).toBe(400);
  });

  it('turns a scheduled video back into a draft when the schedule is cancelled', async () => {
    const id = await insertReadyVideo(t, creator.id, { visibility: 'private' });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${id}`,
      headers: creator.headers,
      payload: { publishAt: new Date(Date.now() + 3_600_000).toISOString(), visibility: 'unlisted' },
    });
    const cancelled = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: creator.headers, payload: { publishAt: null } });
    expect(cancelled.json<Video>()).toMatchObject({ visibility: 'private', draft: true, scheduledAt: null, scheduledVisibility: 'unlisted' });
    expect(await t.services.videos.publishDue()).not.toContain(id);
  });
});

describe('drafts', () => {
  it('stay private until published, then take the visibility asked for and today as their publication date', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/videos',
      headers: creator.headers,
      payload: { title: 'Draft cut', draft: true, visibility: 'public' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json<{ id: string }>();
    await t.infra.db
      .updateTable('videos')
      .set({ status: 'ready', media_prefix: 'videos/x/none', published_at: new Date(Date.now() - 86_400_000) })
      .where('id', '=', id)
      .execute();
    await t.services.videos.invalidate(id);
    expect((await get<Video>(`/api/v1/videos/${id}`, creator)).body).toMatchObject({ draft: true, visibility: 'private', scheduledVisibility: 'public' });
    expect((await get(`/api/v1/videos/${id}`, fan)).status).toBe(404);

    const before = Date.now();
    const published = await t.app.inject({ method: 'POST', url: `/api/v1/videos/${id}/publish`, headers: creator.headers, payload: {} });
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json<Video>()).toMatchObject({ draft: false, visibility: 'public', scheduledVisibility: null });
    expect(new Date(published.json<Video>().publishedAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await get(`/api/v1/videos/${id}`, fan)).status).toBe(200);
    await waitFor(
      async () => (await get<NotificationPage>('/api/v1/notifications', fan)).body.items.some((item) => item.video?.id === id),
      5_000,
      'the draft announcement',
    );

    const again = await t.app.inject({ method: 'POST', url: `/api/v1/videos/${id}/publish`, headers: creator.headers, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'already_published' } });
  });
});
