import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelSearchResults, Suggestions, VideoSearchResults } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { account, insertVideo, json, type Account } from './fixtures.ts';

let t: TestApp;
let alice: Account;
let bob: Account;
const ids = {} as Record<'holiday' | 'spain' | 'tagOnly' | 'descriptionOnly' | 'pasta' | 'unlisted' | 'private' | 'hidden' | 'processing', string>;

const searchVideos = (query: Record<string, string>) => json<VideoSearchResults>(t, `/api/v1/search?${new URLSearchParams(query)}`);
const titles = (results: VideoSearchResults) => results.items.map((video) => video.title);

beforeAll(async () => {
  t = await startTestApp();
  alice = await account(t, 'alice_travels');
  bob = await account(t, 'bob_cooks');
  await t.infra.db.updateTable('channels').set({ name: 'Alice Travels the World' }).where('id', '=', alice.channelId).execute();
  await t.infra.db.updateTable('channels').set({ name: 'Bob in the Kitchen' }).where('id', '=', bob.channelId).execute();

  ids.holiday = await insertVideo(t, alice, {
    title: 'Holiday video',
    description: 'Two weeks by the sea',
    tags: ['travel'],
    views: 50,
    publishedHoursAgo: 48,
  });
  ids.spain = await insertVideo(t, alice, {
    title: 'Our family holiday in Spain',
    tags: ['travel', 'spain'],
    views: 500,
    durationSeconds: 1500,
    publishedHoursAgo: 24 * 40,
  });
  ids.tagOnly = await insertVideo(t, alice, { title: 'Beach day', tags: ['holiday'], views: 5, durationSeconds: 30, publishedHoursAgo: 0.5 });
  ids.descriptionOnly = await insertVideo(t, bob, {
    title: 'Packing list',
    description: 'What I take on every holiday',
    views: 1,
    durationSeconds: 600,
    publishedHoursAgo: 3,
  });
  ids.pasta = await insertVideo(t, bob, { title: 'Cooking pasta at home', tags: ['cooking'], views: 9000 });
  ids.unlisted = await insertVideo(t, alice, { title: 'Holiday video (unlisted cut)', visibility: 'unlisted' });
  ids.private = await insertVideo(t, alice, { title: 'Holiday video private diary', visibility: 'private' });
  ids.hidden = await insertVideo(t, alice, { title: 'Holiday video spam', hidden: true });
  ids.processing = await insertVideo(t, alice, { title: 'Holiday video still processing', status: 'processing' });
});
afterAll(async () => {
  await t?.close();
});

describe('video search', () => {
  it('finds words in titles, tags and descriptions, title matches first', async () => {
    const results = await searchVideos({ q: 'holiday' });
    expect(results.type).toBe('videos');
    const found = results.items.map((video) => video.id);
    expect(new Set(found)).toEqual(new Set([ids.holiday, ids.spain, ids.tagOnly, ids.descriptionOnly]));
    // weight A (title) > B (tags) > C (description)
    expect(found.indexOf(ids.tagOnly)).toBeGreaterThan(Math.max(found.indexOf(ids.holiday), found.indexOf(ids.spain)));
    expect(found.at(-1)).toBe(ids.descriptionOnly);
    expect(results.items[0]!.channel.handle).toBe('alice_travels');
  });

  it('stems English words ("holidays" finds "holiday")', async () => {
    expect(titles(await searchVideos({ q: 'holidays' }))).toContain('Holiday video');
  });

  it('tolerates misspellings', async () => {
    const results = await searchVideos({ q: 'holliday vidoe' });
    expect(titles(results)[0]).toBe('Holiday video');
    expect(titles(results)).not.toContain('Cooking pasta at home');
    expect(titles(await searchVideos({ q: 'cookng psta' }))).toEqual(['Cooking pasta at home']);
  });

  it('matches typos only when full-text search finds few videos, and pages on in the same way', async () => {
    for (let n = 1; n <= 10; n++) await insertVideo(t, bob, { title: `Ukulele lesson ${n}` });
    await insertVideo(t, bob, { title: 'Ukelele for kids' });
    const exact = await searchVideos({ q: 'ukulele' });
    expect(exact.items).toHaveLength(10);
    expect(titles(exact)).not.toContain('Ukelele for kids');
    const typo = await searchVideos({ q: 'ukelele' });
    expect(titles(typo)[0]).toBe('Ukelele for kids');
    expect(typo.items).toHaveLength(11);

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: VideoSearchResults = await searchVideos({ q: 'ukelele', limit: '4', ...(cursor ? { cursor } : {}) });
      paged.push(...titles(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(titles(typo));
    await t.infra.db.deleteFrom('videos').where('title', 'like', 'Uk%').execute();
  });

  it('never returns unlisted, private, hidden or unfinished videos', async () => {
    for (const q of ['holiday video', 'unlisted cut', 'private diary', 'spam', 'still processing']) {
      const found = (await searchVideos({ q })).items.map((video) => video.id);
      for (const invisible of [ids.unlisted, ids.private, ids.hidden, ids.processing]) expect(found, q).not.toContain(invisible);
    }
  });

  it('filters by duration and upload date', async () => {
    expect(titles(await searchVideos({ q: 'holiday', duration: 'short' })).sort()).toEqual(['Beach day', 'Holiday video']);
    expect(titles(await searchVideos({ q: 'holiday', duration: 'medium' }))).toEqual(['Packing list']);
    expect(titles(await searchVideos({ q: 'holiday', duration: 'long' }))).toEqual(['Our family holiday in Spain']);
    expect(titles(await searchVideos({ q: 'holiday', uploaded: 'hour' }))).toEqual(['Beach day']);
    expect(titles(await searchVideos({ q: 'holiday', uploaded: 'today' })).sort()).toEqual(['Beach day', 'Packing list']);
    expect(titles(await searchVideos({ q: 'holiday', uploaded: 'week' }))).not.toContain('Our family holiday in Spain');
    expect(titles(await searchVideos({ q: 'holiday', uploaded: 'year' }))).toContain('Our family holiday in Spain');
  });

  it('sorts by date or views', async () => {
    expect(titles(await searchVideos({ q: 'holiday', sort: 'date' }))).toEqual(['Beach day', 'Packing list', 'Holiday video', 'Our family holiday in Spain']);
    expect(titles(await searchVideos({ q: 'holiday', sort: 'views' }))).toEqual(['Our family holiday in Spain', 'Holiday video', 'Beach day', 'Packing list']);
  });

  it.each(['relevance', 'date', 'views'])('pages through every result once, sorted by %s', async (sort) => {
    const all = (await searchVideos({ q: 'holiday', sort })).items.map((video) => video.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: VideoSearchResults = await searchVideos({ q: 'holiday', sort, limit: '1', ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.items.map((video) => video.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
    expect(paged).toHaveLength(4);
  });

  it('rejects cursors that are garbage or from another sort order', async () => {
    const first = await searchVideos({ q: 'holiday', sort: 'date', limit: '1' });
    const reused = await t.app.inject({ url: `/api/v1/search?q=holiday&sort=views&cursor=${first.nextCursor!}` });
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toEqual({ error: { code: 'invalid_cursor', message: expect.any(String) } });
    expect((await t.app.inject({ url: '/api/v1/search?q=holiday&cursor=bm9wZQ' })).statusCode).toBe(400);
  });

  it('validates the query', async () => {
    expect((await t.app.inject({ url: '/api/v1/search' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/search?q=%20%20' })).json()).toEqual({ error: { code: 'empty_query', message: expect.any(String) } });
    expect((await t.app.inject({ url: '/api/v1/search?q=x&sort=rating' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/search?q=x&limit=500' })).statusCode).toBe(400);
  });

  it('treats search syntax and SQL metacharacters as plain text', async () => {
    for (const q of ["holiday' OR 1=1 --", '"holiday video"', 'holiday -spain', '%_\\', '!!!']) {
      const response = await t.app.inject({ url: `/api/v1/search?${new URLSearchParams({ q })}` });
      expect(response.statusCode, q).toBe(200);
    }
    expect(titles(await searchVideos({ q: 'holiday -spain' }))).not.toContain('Our family holiday in Spain');
    expect(titles(await searchVideos({ q: '"family holiday"' }))).toEqual(['Our family holiday in Spain']);
  });
});

describe('channel search', () => {
  const searchChannels = (query: Record<string, string>) =>
    json<ChannelSearchResults>(t, `/api/v1/search?${new URLSearchParams({ type: 'channels', ...query })}`);

  it('finds channels by name or handle, misspelt or not, with counts of public videos', async () => {
    const byName = await searchChannels({ q: 'kitchen' });
    expect(byName.type).toBe('channels');
    expect(byName.items.map((channel) => channel.handle)).toEqual(['bob_cooks']);
    expect(byName.items[0]).toMatchObject({ name: 'Bob in the Kitchen', videoCount: 2, subscriberCount: 0, avatarUrl: null });
    expect((await searchChannels({ q: '@alice_travels' })).items.map((channel) => channel.handle)).toEqual(['alice_travels']);
    const misspelt = await searchChannels({ q: 'alise travles' });
    expect(misspelt.items[0]?.handle).toBe('alice_travels');
    // Alice has 7 videos, but only 3 are ready, public and not hidden.
    expect(misspelt.items[0]?.videoCount).toBe(3);
  });

  it('sorts by subscribers', async () => {
    await t.infra.db.updateTable('channels').set({ subscriber_count: 10 }).where('id', '=', bob.channelId).execute();
    const sorted = await searchChannels({ q: 'the', sort: 'views' });
    expect(sorted.items.map((channel) => channel.handle)).toEqual(['bob_cooks', 'alice_travels']);
  });
});

describe('suggestions', () => {
  const suggest = async (q: string) => (await json<Suggestions>(t, `/api/v1/search/suggestions?${new URLSearchParams({ q })}`)).suggestions;

  it('suggests titles that start with the text first, then close matches', async () => {
    const suggestions = await suggest('hol');
    expect(suggestions[0]).toBe('Holiday video');
    expect(suggestions).toContain('Our family holiday in Spain');
    expect(await suggest('holliday')).toContain('Holiday video');
  });

  it('never suggests titles of videos that are not listed', async () => {
    const suggestions = await suggest('holiday video');
    for (const title of ['Holiday video (unlisted cut)', 'Holiday video private diary', 'Holiday video spam', 'Holiday video still processing']) {
      expect(suggestions).not.toContain(title);
    }
  });

  it('gives at most 8, each title once, and nothing for one letter', async () => {
    for (let n = 0; n < 12; n++) await insertVideo(t, bob, { title: n % 2 ? 'Pasta night' : `Pasta night ${n}` });
    const suggestions = await suggest('pasta');
    expect(suggestions).toHaveLength(8);
    expect(suggestions.filter((title) => title === 'Pasta night')).toHaveLength(1);
    expect(await suggest('p')).toEqual([]);
  });
});

it('documents every search and discovery endpoint in the OpenAPI document', async () => {
  const document = await json<{ paths: Record<string, Record<string, { tags?: string[]; summary?: string; responses?: object }>> }>(t, '/api/openapi.json');
  const expected: [string, string][] = [
    ['/api/v1/search', 'get'],
    ['/api/v1/search/suggestions', 'get'],
    ['/api/v1/feed/trending', 'get'],
    ['/api/v1/feed/home', 'get'],
    ['/api/v1/videos/{id}/related', 'get'],
    ['/api/v1/notifications', 'get'],
    ['/api/v1/notifications/unread-count', 'get'],
    ['/api/v1/notifications/read', 'post'],
    ['/api/v1/reports', 'post'],
    ['/api/v1/admin/reports', 'get'],
    ['/api/v1/admin/reports/{id}/resolve', 'post'],
    ['/api/v1/admin/videos/{id}/hide', 'post'],
    ['/api/v1/admin/videos/{id}/unhide', 'post'],
    ['/api/v1/admin/comments/{id}/hide', 'post'],
    ['/api/v1/admin/comments/{id}/unhide', 'post'],
  ];
  for (const [path, method] of expected) {
    const operation = document.paths[path]?.[method];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(operation!.summary).toBeTruthy();
    expect(operation!.tags?.length).toBe(1);
    expect(Object.keys(operation!.responses ?? {})).toContain(method === 'post' && path === '/api/v1/reports' ? '201' : '200');
  }
});
