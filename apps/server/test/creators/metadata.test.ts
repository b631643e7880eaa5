import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, SearchQuery } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { type ApiClient, apiClient } from '../helpers/client.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { account, type Account } from '../discovery/fixtures.ts';

let t: TestApp;
let creator: Account;
let asCreator: ApiClient;
let asFan: ApiClient;
let anonymous: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  creator = await account(t, 'metadata_creator');
  asCreator = apiClient(t.app, creator.token);
  asFan = apiClient(t.app, (await account(t, 'metadata_fan')).token);
  anonymous = apiClient(t.app);
});
afterAll(async () => {
  await t?.close();
});

/** A video edit as sent, for the refusals: the typed `videos.update` cannot carry the invalid values. */
const patch = (id: string, payload: Record<string, unknown>) => asCreator.request('PATCH', `/videos/${id}`, payload);

describe('category, language and licence', () => {
  it('are stored, returned and validated', async () => {
    const created = await asCreator.videos.create({ title: 'Tagged', category: 'music', language: 'pt-BR', licence: 'cc-by', commentsPolicy: 'held' });
    const video = await asCreator.videos.get(created.id);
    expect(video).toMatchObject({ category: 'music', language: 'pt-BR', licence: 'cc-by', commentsPolicy: 'held', commentsEnabled: true });

    const cleared = await asCreator.videos.update(video.id, { category: null, commentsPolicy: 'off' });
    expect(cleared).toMatchObject({ category: null, language: 'pt-BR', commentsPolicy: 'off', commentsEnabled: false });

    for (const payload of [{ category: 'cooking-shows' }, { language: 'Portuguese' }, { licence: 'gpl' }, { commentsPolicy: 'maybe' }]) {
      const response = await patch(video.id, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json<ErrorBody>()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });

  it('filter search results', async () => {
    const music = await insertReadyVideo(t, creator.id, { title: 'Guitar lesson one' });
    const lesson = await insertReadyVideo(t, creator.id, { title: 'Guitar lesson two' });
    await asCreator.videos.update(music, { category: 'music', language: 'en' });
    await asCreator.videos.update(lesson, { category: 'education', language: 'pt-BR' });
    const ids = async (filters: Pick<SearchQuery, 'category' | 'language'> = {}) =>
      (await anonymous.search.videos({ q: 'guitar', ...filters })).items.map((item) => item.id);
    expect((await ids()).sort()).toEqual([music, lesson].sort());
    expect(await ids({ category: 'music' })).toEqual([music]);
    expect(await ids({ category: 'education' })).toEqual([lesson]);
    expect(await ids({ language: 'pt' })).toEqual([lesson]);
    expect(await ids({ language: 'en', category: 'education' })).toEqual([]);
    expect((await anonymous.request('GET', '/search?q=guitar&category=nope')).statusCode).toBe(400);
  });
});

describe('comments held for approval', () => {
  it('wait in the studio queue until the owner approves them, uncounted and unlisted until then', async () => {
    const id = await insertReadyVideo(t, creator.id, { title: 'Moderated talk' });
    await asCreator.videos.update(id, { commentsPolicy: 'held' });
    const listed = () => anonymous.comments.list(id, { sort: 'newest' });

    const fromFan = await asFan.comments.create(id, { body: 'First!' });
    expect(fromFan.held).toBe(true);
    const spam = await asFan.comments.create(id, { body: 'Buy cheap watches' });
    const fromOwner = await asCreator.comments.create(id, { body: 'Thanks for watching' });
    expect(fromOwner.held).toBe(false);

    expect((await listed()).items.map((item) => item.body)).toEqual(['Thanks for watching']);
    expect((await listed()).total).toBe(1);
    // Nobody else can reply to or like a held comment.
    const other = apiClient(t.app, (await account(t, 'other')).token);
    expect((await other.request('PUT', `/comments/${spam.id}/like`)).statusCode).toBe(404);

    const queue = await asCreator.comments.held();
    expect(queue.items.map((item) => [item.comment.body, item.video.title])).toEqual([
      ['First!', 'Moderated talk'],
      ['Buy cheap watches', 'Moderated talk'],
    ]);
    expect((await asFan.comments.held()).items).toEqual([]);
    expect((await asFan.request('POST', `/comments/${fromFan.id}/approve`)).statusCode).toBe(404);

    expect((await asCreator.comments.approve(fromFan.id)).held).toBe(false);
    expect((await asCreator.request('POST', `/comments/${fromFan.id}/approve`)).statusCode).toBe(409);
    // Rejecting is deleting; the uncounted comment takes nothing off the count.
    await asCreator.comments.delete(spam.id);

    const after = await listed();
    expect(after.items.map((item) => item.body)).toEqual(['Thanks for watching', 'First!']);
    expect(after.total).toBe(2);
    expect((await anonymous.videos.get(id)).commentCount).toBe(2);
    expect((await asCreator.comments.held()).items).toEqual([]);
  });

  it('are refused outright when comments are off', async () => {
    const id = await insertReadyVideo(t, creator.id, { title: 'Quiet video' });
    await asCreator.videos.update(id, { commentsPolicy: 'off' });
    expect((await asFan.request('POST', `/videos/${id}/comments`, { body: 'hello' })).statusCode).toBe(403);
  });
});
