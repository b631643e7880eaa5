import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { type ApiClient, apiClient } from '../helpers/client.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;
let bob: Awaited<ReturnType<typeof registerUser>>;
let asAlice: ApiClient;
let asBob: ApiClient;
let anonymous: ApiClient;
beforeAll(async () => {
  t = await startTestApp();
  alice = await registerUser(t.app, 'alice');
  bob = await registerUser(t.app, 'bob');
  asAlice = apiClient(t.app, alice.accessToken);
  asBob = apiClient(t.app, bob.accessToken);
  anonymous = apiClient(t.app);
});
afterAll(() => t?.close());

describe('playlists', () => {
  it('create, add, reorder, remove, rename, delete — with an exact count', async () => {
    const ids = await Promise.all(['One', 'Two', 'Three'].map((title) => insertReadyVideo(t, bob.user.id, { title })));
    const playlist = await asAlice.playlists.create({ title: 'Mix', visibility: 'public' });
    for (const id of ids) await asAlice.playlists.addItem(playlist.id, id);
    // Adding twice is a no-op.
    const again = await asAlice.playlists.addItem(playlist.id, ids[0]!);
    expect(again.items.map((v) => v.title)).toEqual(['One', 'Two', 'Three']);

    const reordered = await asAlice.playlists.reorder(playlist.id, [ids[2]!, ids[0]!, ids[1]!]);
    expect(reordered.items.map((v) => v.title)).toEqual(['Three', 'One', 'Two']);
    const partial = await asAlice.request('PUT', `/playlists/${playlist.id}/order`, { videoIds: [ids[0]!] });
    expect(partial.statusCode).toBe(400);

    const removed = await asAlice.playlists.removeItem(playlist.id, ids[0]!);
    expect(removed.items.map((v) => v.title)).toEqual(['Three', 'Two']);
    const row = await t.infra.db.selectFrom('playlists').select('video_count').where('id', '=', playlist.id).executeTakeFirstOrThrow();
    expect(row.video_count).toBe(2);

    const renamed = await asAlice.playlists.update(playlist.id, { title: 'Best of' });
    expect(renamed.title).toBe('Best of');
    expect((await asBob.request('PATCH', `/playlists/${playlist.id}`, { title: 'Mine' })).statusCode).toBe(403);
    await asAlice.playlists.delete(playlist.id);
    expect((await asAlice.request('GET', `/playlists/${playlist.id}`)).statusCode).toBe(404);
  });

  it('private playlists are invisible to others; unlisted open with the link; items others may not see drop out', async () => {
    const publicVideo = await insertReadyVideo(t, alice.user.id, { title: 'Shared' });
    const privateVideo = await insertReadyVideo(t, alice.user.id, { title: 'Only me', visibility: 'private' });
    const privateList = await asAlice.playlists.create({ title: 'Secret' });
    expect(privateList.visibility).toBe('private');
    expect((await asBob.request('GET', `/playlists/${privateList.id}`)).statusCode).toBe(404);
    expect((await anonymous.request('GET', `/playlists/${privateList.id}`)).statusCode).toBe(404);

    const unlisted = await asAlice.playlists.create({ title: 'Link only', visibility: 'unlisted' });
    for (const videoId of [publicVideo, privateVideo]) await asAlice.playlists.addItem(unlisted.id, videoId);
    expect((await asAlice.playlists.get(unlisted.id)).items).toHaveLength(2);
    const seenByBob = await asBob.playlists.get(unlisted.id);
    expect(seenByBob.items.map((v) => v.title)).toEqual(['Shared']);
    expect(seenByBob.videoCount).toBe(1);
    // Nobody can add a video they cannot see to their own playlist.
    const bobsList = await asBob.playlists.create({ title: 'Bob' });
    expect((await asBob.request('POST', `/playlists/${bobsList.id}/items`, { videoId: privateVideo })).statusCode).toBe(404);
  });

  it('can be reordered when it holds a video the owner can no longer see', async () => {
    const mine = await insertReadyVideo(t, alice.user.id, { title: 'Mine' });
    const theirs = await insertReadyVideo(t, bob.user.id, { title: 'Theirs' });
    const also = await insertReadyVideo(t, alice.user.id, { title: 'Also mine' });
    const list = await asAlice.playlists.create({ title: 'Mixed' });
    for (const videoId of [mine, theirs, also]) await asAlice.playlists.addItem(list.id, videoId);
    await asBob.videos.update(theirs, { visibility: 'private' });
    const reordered = await asAlice.playlists.reorder(list.id, [also, mine]);
    expect(reordered.items.map((v) => v.title)).toEqual(['Also mine', 'Mine']);
    // Made public again, it reappears at the end rather than being lost.
    await asBob.videos.update(theirs, { visibility: 'public' });
    expect((await asAlice.playlists.get(list.id)).items.map((v) => v.title)).toEqual(['Also mine', 'Mine', 'Theirs']);
  });

  it('a channel page lists its owner’s public playlists only', async () => {
    const videoId = await insertReadyVideo(t, alice.user.id, { title: 'In a public list' });
    const shared = await asAlice.playlists.create({ title: 'Shared list', visibility: 'public' });
    await asAlice.playlists.addItem(shared.id, videoId);
    await asAlice.playlists.create({ title: 'Unlisted list', visibility: 'unlisted' });
    await asAlice.playlists.addItem('watch-later', videoId);
    const listed = await anonymous.channels.playlists('alice');
    expect(listed.items.map((p) => p.title)).toContain('Shared list');
    expect(listed.items.every((p) => p.visibility === 'public' && p.kind === 'regular')).toBe(true);
    expect(listed.items.find((p) => p.title === 'Shared list')).toMatchObject({ videoCount: 1 });
  });

  it('everyone has a Watch later list, addressable as "watch-later", that cannot be renamed or deleted', async () => {
    const videoId = await insertReadyVideo(t, alice.user.id, { title: 'Later' });
    const added = await asBob.playlists.addItem('watch-later', videoId);
    expect(added).toMatchObject({ kind: 'watch_later', title: 'Watch later', visibility: 'private' });
    const mine = await asBob.playlists.mine();
    expect(mine.items[0]).toMatchObject({ kind: 'watch_later', videoCount: 1 });
    expect(mine.items.filter((p) => p.kind === 'watch_later')).toHaveLength(1);
    expect((await asBob.request('DELETE', '/playlists/watch-later')).statusCode).toBe(400);
    expect((await asBob.request('PATCH', '/playlists/watch-later', { title: 'x' })).statusCode).toBe(400);
    expect((await anonymous.request('GET', '/playlists/watch-later')).statusCode).toBe(401);
  });
});

describe('watch history', () => {
  it('remembers where I stopped, lists latest first, and forgets on request', async () => {
    const first = await insertReadyVideo(t, bob.user.id, { title: 'First' });
    const second = await insertReadyVideo(t, bob.user.id, { title: 'Second' });
    await asAlice.history.saveProgress(first, 12.5);
    await asAlice.history.saveProgress(second, 30);
    expect(await asAlice.history.progress(first)).toEqual({ positionSeconds: 12.5 });
    // Finished videos start again from the beginning (duration is 60 s).
    await asAlice.history.saveProgress(second, 59);
    expect(await asAlice.history.progress(second)).toEqual({ positionSeconds: null });
    const history = await asAlice.history.list();
    expect(history.items.map((entry) => entry.video.title)).toEqual(['Second', 'First']);
    expect((await asBob.history.list()).items).toEqual([]);

    await asAlice.history.remove(second);
    expect((await asAlice.history.list()).items.map((e) => e.video.title)).toEqual(['First']);
    await asAlice.history.clear();
    expect((await asAlice.history.list()).items).toEqual([]);
  });

  it('records nothing while paused', async () => {
    const videoId = await insertReadyVideo(t, bob.user.id);
    await asAlice.history.updateSettings({ paused: true });
    expect(await asAlice.history.settings()).toEqual({ paused: true });
    await asAlice.history.saveProgress(videoId, 5);
    expect((await asAlice.history.list()).items).toEqual([]);
    await asAlice.history.updateSettings({ paused: false });
  });
});
