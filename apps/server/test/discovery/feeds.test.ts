import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HomeFeed, RelatedVideos, TrendingPage } from '@tube/shared';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/media.ts';
import { discoveryJobs, TRENDING_REFRESH_QUEUE } from '../../src/discovery/discovery.jobs.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { account, insertVideo, json, type Account } from './fixtures.ts';

let t: TestApp;
let alice: Account;
let bob: Account;

const trendingTitles = async (query = '') => (await json<TrendingPage>(t, `/api/v1/feed/trending${query}`)).items.map((video) => video.title);

beforeAll(async () => {
  t = await startTestApp();
  alice = await account(t, 'alice');
  bob = await account(t, 'bob');
});
afterAll(async () => {
  await t?.close();
});

async function resetVideos() {
  await t.infra.db.deleteFrom('videos').execute();
  await t.services.discovery.refreshTrending();
}

describe('trending', () => {
  it('ranks by views and likes, decayed by age, over the last 14 days', async () => {
    await resetVideos();
    // score = (views + 3 likes + 1) / (age hours + 2)^1.5
    await insertVideo(t, alice, { title: 'fresh and liked', views: 100, likes: 50, publishedHoursAgo: 2 }); // 251 / 8 = 31.4
    await insertVideo(t, alice, { title: 'fresh', views: 100, publishedHoursAgo: 2 }); // 101 / 8 = 12.6
    await insertVideo(t, bob, { title: 'older but huge', views: 15_000, publishedHoursAgo: 72 }); // 15001 / 636.6 = 23.6
    await insertVideo(t, bob, { title: 'week old', views: 5_000, publishedHoursAgo: 24 * 7 }); // 5001 / 2216 = 2.3
    await insertVideo(t, bob, { title: 'brand new, no views', publishedHoursAgo: 0 }); // 1 / 2.8 = 0.35
    await insertVideo(t, bob, { title: 'too old', views: 1_000_000, publishedHoursAgo: 24 * 15 });
    await insertVideo(t, bob, { title: 'unlisted', views: 1_000_000, visibility: 'unlisted' });
    await insertVideo(t, bob, { title: 'private', views: 1_000_000, visibility: 'private' });
    await insertVideo(t, bob, { title: 'hidden', views: 1_000_000, hidden: true });
    await insertVideo(t, bob, { title: 'processing', views: 1_000_000, status: 'processing' });
    expect(await t.services.discovery.refreshTrending()).toBe(5);

    const page = await json<TrendingPage>(t, '/api/v1/feed/trending');
    expect(page.items.map((video) => video.title)).toEqual(['fresh and liked', 'older but huge', 'fresh', 'week old', 'brand new, no views']);
    expect(Date.now() - Date.parse(page.updatedAt!)).toBeLessThan(60_000);
    expect(page.items[0]).toMatchObject({ status: 'ready', visibility: 'public', likeCount: 50, channel: { handle: 'alice' } });
  });

  it('pages with a cursor', async () => {
    const all = await trendingTitles();
    const first = await json<TrendingPage>(t, '/api/v1/feed/trending?limit=2');
    const second = await json<TrendingPage>(t, `/api/v1/feed/trending?limit=2&cursor=${first.nextCursor!}`);
    const third = await json<TrendingPage>(t, `/api/v1/feed/trending?limit=2&cursor=${second.nextCursor!}`);
    expect([...first.items, ...second.items, ...third.items].map((video) => video.title)).toEqual(all);
    expect(third.nextCursor).toBeNull();
  });

  it('drops videos made private or deleted since the last refresh', async () => {
    await t.services.discovery.refreshTrending();
    await t.infra.db.updateTable('videos').set({ visibility: 'private' }).where('title', '=', 'fresh').execute();
    await t.infra.db.deleteFrom('videos').where('title', '=', 'week old').execute();
    expect(await trendingTitles('?limit=10')).toEqual(['fresh and liked', 'older but huge', 'brand new, no views']);
  });

  it('is computed on first use when it never has been (fresh install)', async () => {
    await t.infra.db.deleteFrom('trending_scores').execute();
    await t.infra.cache.del('trending:bootstrap');
    expect(await trendingTitles('?limit=3')).toEqual(['fresh and liked', 'older but huge', 'brand new, no views']);
  });

  it('is refreshed by a scheduled pg-boss job', async () => {
    const [job] = discoveryJobs(t.services.discovery);
    expect(job).toMatchObject({ queue: TRENDING_REFRESH_QUEUE, schedule: '*/5 * * * *' });
    await t.infra.db.deleteFrom('trending_scores').execute();
    const stop = await startWorker(t.infra, discoveryJobs(t.services.discovery));
    try {
      await t.infra.queue.send(TRENDING_REFRESH_QUEUE, {});
      await waitFor(async () => (await t.infra.db.selectFrom('trending_scores').select('video_id').execute()).length === 3, 15_000, 'the trending job');
    } finally {
      await stop();
    }
  });
});

describe('home', () => {
  it('has trending and newest sections of public videos', async () => {
    await resetVideos();
    await insertVideo(t, alice, { title: 'old favourite', views: 10_000, publishedHoursAgo: 30 });
    await insertVideo(t, alice, { title: 'newest', publishedHoursAgo: 0.1 });
    await insertVideo(t, bob, { title: 'newer', publishedHoursAgo: 1 });
    await insertVideo(t, bob, { title: 'secret', visibility: 'private', publishedHoursAgo: 0 });
    await t.services.discovery.refreshTrending();
    const home = await json<HomeFeed>(t, '/api/v1/feed/home?limit=2');
    expect(home.trending.map((video) => video.title)).toEqual(['old favourite', 'newest']);
    expect(home.newest.map((video) => video.title)).toEqual(['newest', 'newer']);
  });
});

describe('related videos', () => {
  let source: string;
  let privateSource: string;

  beforeAll(async () => {
    await resetVideos();
    source = await insertVideo(t, alice, { title: 'Sourdough bread for beginners', tags: ['baking', 'bread'], description: 'Flour, water, salt.' });
    await insertVideo(t, bob, { title: 'Rye bread at home', tags: ['baking'] });
    await insertVideo(t, bob, { title: 'Baking with kids', tags: ['baking', 'family'] });
    await insertVideo(t, alice, { title: 'My garden in spring' });
    await insertVideo(t, bob, { title: 'Car repair basics', views: 1000 });
    await insertVideo(t, bob, { title: 'Sourdough starter (private)', tags: ['baking', 'bread'], visibility: 'private' });
    await insertVideo(t, bob, { title: 'Sourdough starter (unlisted)', tags: ['baking', 'bread'], visibility: 'unlisted' });
    await insertVideo(t, bob, { title: 'Sourdough bread spam', tags: ['baking', 'bread'], hidden: true });
    privateSource = await insertVideo(t, alice, { title: 'Private sourdough notes', visibility: 'private' });
    await t.services.discovery.refreshTrending();
  });

  it('puts shared words and tags first, then the same channel, then trending videos; never the video itself', async () => {
    const related = await json<RelatedVideos>(t, `/api/v1/videos/${source}/related?limit=10`);
    const relatedTitles = related.items.map((video) => video.title);
    expect(new Set(relatedTitles.slice(0, 2))).toEqual(new Set(['Rye bread at home', 'Baking with kids']));
    expect(relatedTitles[2]).toBe('My garden in spring');
    expect(relatedTitles).toContain('Car repair basics');
    expect(relatedTitles).toHaveLength(4);
    expect(related.items.map((video) => video.id)).not.toContain(source);
  });

  it('lists only public, unhidden videos', async () => {
    const relatedTitles = (await json<RelatedVideos>(t, `/api/v1/videos/${source}/related`)).items.map((video) => video.title);
    for (const title of ['Sourdough starter (private)', 'Sourdough starter (unlisted)', 'Sourdough bread spam', 'Private sourdough notes']) {
      expect(relatedTitles).not.toContain(title);
    }
  });

  it('is 404 where the video itself is', async () => {
    expect((await t.app.inject({ url: `/api/v1/videos/${privateSource}/related` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${privateSource}/related`, headers: bob.headers })).statusCode).toBe(404);
    const forOwner = await t.app.inject({ url: `/api/v1/videos/${privateSource}/related`, headers: alice.headers });
    expect(forOwner.statusCode).toBe(200);
    expect(forOwner.json<RelatedVideos>().items.map((video) => video.title)).toContain('Sourdough bread for beginners');
    expect((await t.app.inject({ url: '/api/v1/videos/00000000-0000-0000-0000-000000000000/related' })).statusCode).toBe(404);
  });

  it('respects the limit', async () => {
    const one = (await json<RelatedVideos>(t, `/api/v1/videos/${source}/related?limit=1`)).items.map((video) => video.title);
    expect(one).toHaveLength(1);
    expect(['Rye bread at home', 'Baking with kids']).toContain(one[0]);
  });
});

it('keeps the search document in step with title, tags and description edits', async () => {
  const id = await insertVideo(t, alice, { title: 'Untitled', description: 'nothing yet' });
  await t.infra.db
    .updateTable('videos')
    .set({ title: 'Kayaking the fjords', tags: ['norway'], description: 'paddling all day' })
    .where('id', '=', id)
    .execute();
  const { rows } = await sql<{ matches: boolean }>`
    SELECT document @@ to_tsquery('english', 'kayak & norway & paddl') AND NOT document @@ to_tsquery('english', 'untitled') AS matches
    FROM video_search_documents WHERE video_id = ${id}`.execute(t.infra.db);
  expect(rows).toEqual([{ matches: true }]);
  // View-count flushes and heartbeats do not touch it (the trigger only fires for the searchable columns).
  await t.infra.db.updateTable('videos').set({ view_count: 5 }).where('id', '=', id).execute();
  await t.infra.db.deleteFrom('videos').where('id', '=', id).execute();
  expect(await t.infra.db.selectFrom('video_search_documents').select('video_id').where('video_id', '=', id).execute()).toEqual([]);
});
