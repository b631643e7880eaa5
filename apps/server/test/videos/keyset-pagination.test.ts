import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CursorQuery, HistoryPage, VideoPage } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { apiClient, type ApiClient } from '../helpers/client.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { account, type Account } from '../discovery/fixtures.ts';

/**
 * Every list pages by keyset over PostgreSQL's own timestamps (microseconds). A cursor holding a JavaScript Date
 * (milliseconds) would skip a row published later in the same millisecond as the last row of a page.
 */
let t: TestApp;
let creator: Account;
let anonymous: ApiClient;
let client: ApiClient;
const ids: string[] = [];

type Page = VideoPage | HistoryPage;

/** Walks a list one item per page, returning the ids in order. */
async function walk(list: (page: CursorQuery) => Promise<Page>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const page: Page = await list({ limit: 1, ...(cursor ? { cursor } : {}) });
    seen.push(...page.items.map((item: Page['items'][number]) => ('video' in item ? item.video.id : item.id)));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return seen;
}

beforeAll(async () => {
  t = await startTestApp();
  creator = await account(t, 'keyset_creator');
  anonymous = apiClient(t.app);
  client = apiClient(t.app, creator.token);
  for (const title of ['first', 'second', 'third']) ids.push(await insertReadyVideo(t, creator.id, { title }));
  // Two videos in the same millisecond (123.401 and 123.402 ms), and a third one at exactly the same instant as the second.
  const times = ['2026-06-01 10:00:00.123401+00', '2026-06-01 10:00:00.123402+00', '2026-06-01 10:00:00.123402+00'];
  for (const [i, id] of ids.entries()) {
    await t.infra.db
      .updateTable('videos')
      .set({ published_at: sql`${times[i]}::timestamptz`, created_at: sql`${times[i]}::timestamptz` })
      .where('id', '=', id)
      .execute();
    await t.infra.db
      .insertInto('watch_history')
      .values({ user_id: creator.id, video_id: id, position_seconds: 1, watched_at: sql`${times[i]}::timestamptz` })
      .execute();
  }
});
afterAll(async () => {
  await t?.close();
});

describe('keyset pagination', () => {
  it('lists two videos published in the same millisecond once each, newest first, across pages', async () => {
    const listed = await walk(anonymous.videos.list);
    expect(listed).toHaveLength(3);
    expect(new Set(listed)).toEqual(new Set(ids));
    expect(listed.at(-1)).toBe(ids[0]);
    expect(await walk((page) => anonymous.channels.videos(creator.channelId, page))).toEqual(listed);
  });

  it('does the same for my videos and my history', async () => {
    expect(new Set(await walk(client.videos.mine))).toEqual(new Set(ids));
    const history = await walk(client.history.list);
    expect(history).toHaveLength(3);
    expect(new Set(history)).toEqual(new Set(ids));
  });

  it('refuses a cursor from another list, or from an older format, with a 400 that says so', async () => {
    const first = await anonymous.videos.list({ limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    const elsewhere = await client.request('GET', `/users/me/history?cursor=${first.nextCursor}`);
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json()).toEqual({ error: { code: 'invalid_cursor', message: expect.stringContaining('cursor is invalid') } });
    const legacy = Buffer.from(`2026-06-01T10:00:00.123Z|${ids[0]}`).toString('base64url');
    const old = await anonymous.request('GET', `/videos?cursor=${legacy}`);
    expect(old.statusCode).toBe(400);
    expect(old.json<{ error: { code: string } }>().error.code).toBe('invalid_cursor');
  });
});
