import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPage, Playlist, PlaylistSummary, Progress } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;
let bob: Awaited<ReturnType<typeof registerUser>>;
beforeAll(async () => {
  t = await startTestApp();
  alice = await registerUser(t.app, 'alice');
  bob = await registerUser(t.app, 'bob');
});
afterAll(() => t?.close());

const as = (user: typeof alice) => bearer(user.accessToken);

describe('playlists', () => {
  it('create, add, reorder, remove, rename, delete — with an exact count', async () => {
    const ids = await Promise.all(['One', 'Two', 'Three'].map((title) => insertReadyVideo(t, bob.user.id, { title })));
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(alice), payload: { title: 'Mix', visibility: 'public' } });
    expect(created.statusCode).toBe(201);
    const playlist = created.json<Playlist>();
    for (const id of ids) await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${playlist.id}/items`, headers: as(alice), payload: { videoId: id } });
    // Adding twice is a no-op.
    const again = await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${playlist.id}/items`, headers: as(alice), payload: { videoId: ids[0] } });
    expect(again.json<Playlist>().items.map((v) => v.title)).toEqual(['One', 'Two', 'Three']);

    const reordered = await t.app.inject({ method: 'PUT', url: `/api/v1/playlists/${playlist.id}/order`, headers: as(alice), payload: { videoIds: [ids[2], ids[0], ids[1]] } });
    expect(reordered.json<Playlist>().items.map((v) => v.title)).toEqual(['Three', 'One', 'Two']);
    const partial = await t.app.inject({ method: 'PUT', url: `/api/v1/playlists/${playlist.id}/order`, headers: as(alice), payload: { videoIds: [ids[0]] } });
    expect(partial.statusCode).toBe(400);

    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/playlists/${playlist.id}/items/${ids[0]}`, headers: as(alice) });
    expect(removed.json<Playlist>().items.map((v) => v.title)).toEqual(['Three', 'Two']);
    const row = await t.infra.db.selectFrom('playlists').select('video_count').where('id', '=', playlist.id).executeTakeFirstOrThrow();
    expect(row.video_count).toBe(2);

    const renamed = await t.app.inject({ method: 'PATCH', url: `/api/v1/playlists/${playlist.id}`, headers: as(alice), payload: { title: 'Best of' } });
    expect(renamed.json<Playlist>().title).toBe('Best of');
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/playlists/${playlist.id}`, headers: as(bob), payload: { title: 'Mine' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/playlists/${playlist.id}`, headers: as(alice) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/playlists/${playlist.id}`, headers: as(alice) })).statusCode).toBe(404);
  });

  it('private playlists are invisible to others; unlisted open with the link; items others may not see drop out', async () => {
    const publicVideo = await insertReadyVideo(t, alice.user.id, { title: 'Shared' });
    const privateVideo = await insertReadyVideo(t, alice.user.id, { title: 'Only me', visibility: 'private' });
    const privateList = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(alice), payload: { title: 'Secret' } })).json<Playlist>();
    expect(privateList.visibility).toBe('private');
    expect((await t.app.inject({ url: `/api/v1/playlists/${privateList.id}`, headers: as(bob) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/playlists/${privateList.id}` })).statusCode).toBe(404);

    const unlisted = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(alice), payload: { title: 'Link only', visibility: 'unlisted' } })).json<Playlist>();
    for (const videoId of [publicVideo, privateVideo]) await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${unlisted.id}/items`, headers: as(alice), payload: { videoId } });
    expect((await t.app.inject({ url: `/api/v1/playlists/${unlisted.id}`, headers: as(alice) })).json<Playlist>().items).toHaveLength(2);
    const seenByBob = (await t.app.inject({ url: `/api/v1/playlists/${unlisted.id}`, headers: as(bob) })).json<Playlist>();
    expect(seenByBob.items.map((v) => v.title)).toEqual(['Shared']);
    expect(seenByBob.videoCount).toBe(1);
    // Nobody can add a video they cannot see to their own playlist.
    const bobsList = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(bob), payload: { title: 'Bob' } })).json<Playlist>();
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${bobsList.id}/items`, headers: as(bob), payload: { videoId: privateVideo } })).statusCode).toBe(404);
  });

  it('can be reordered when it holds a video the owner can no longer see', async () => {
    const mine = await insertReadyVideo(t, alice.user.id, { title: 'Mine' });
    const theirs = await insertReadyVideo(t, bob.user.id, { title: 'Theirs' });
    const also = await insertReadyVideo(t, alice.user.id, { title: 'Also mine' });
    const list = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(alice), payload: { title: 'Mixed' } })).json<Playlist>();
    for (const videoId of [mine, theirs, also]) await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${list.id}/items`, headers: as(alice), payload: { videoId } });
    await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${theirs}`, headers: as(bob), payload: { visibility: 'private' } });
    const reordered = await t.app.inject({ method: 'PUT', url: `/api/v1/playlists/${list.id}/order`, headers: as(alice), payload: { videoIds: [also, mine] } });
    expect(reordered.statusCode).toBe(200);
    expect(reordered.json<Playlist>().items.map((v) => v.title)).toEqual(['Also mine', 'Mine']);
    // Made public again, it reappears at the end rather than being lost.
    await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${theirs}`, headers: as(bob), payload: { visibility: 'public' } });
    expect((await t.app.inject({ url: `/api/v1/playlists/${list.id}`, headers: as(alice) })).json<Playlist>().items.map((v) => v.title)).toEqual(['Also mine', 'Mine', 'Theirs']);
  });

  it('a channel page lists its owner’s public playlists only', async () => {
    const videoId = await insertReadyVideo(t, alice.user.id, { title: 'In a public list' });
    const shared = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(alice), payload: { title: 'Shared list', visibility: 'public' } })).json<Playlist>();
    await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${shared.id}/items`, headers: as(alice), payload: { videoId } });
    await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: as(alice), payload: { title: 'Unlisted list', visibility: 'unlisted' } });
    await t.app.inject({ method: 'POST', url: '/api/v1/playlists/watch-later/items', headers: as(alice), payload: { videoId } });
    const listed = (await t.app.inject({ url: '/api/v1/channels/alice/playlists' })).json<{ items: PlaylistSummary[] }>();
    expect(listed.items.map((p) => p.title)).toContain('Shared list');
    expect(listed.items.every((p) => p.visibility === 'public' && p.kind === 'regular')).toBe(true);
    expect(listed.items.find((p) => p.title === 'Shared list')).toMatchObject({ videoCount: 1 });
  });

  it('everyone has a Watch later list, addressable as "watch-later", that cannot be renamed or deleted', async () => {
    const videoId = await insertReadyVideo(t, alice.user.id, { title: 'Later' });
    const added = await t.app.inject({ method: 'POST', url: '/api/v1/playlists/watch-later/items', headers: as(bob), payload: { videoId } });
    expect(added.statusCode).toBe(200);
    expect(added.json<Playlist>()).toMatchObject({ kind: 'watch_later', title: 'Watch later', visibility: 'private' });
    const mine = (await t.app.inject({ url: '/api/v1/users/me/playlists', headers: as(bob) })).json<{ items: PlaylistSummary[] }>();
    expect(mine.items[0]).toMatchObject({ kind: 'watch_later', videoCount: 1 });
    expect(mine.items.filter((p) => p.kind === 'watch_later')).toHaveLength(1);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/playlists/watch-later', headers: as(bob) })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/playlists/watch-later', headers: as(bob), payload: { title: 'x' } })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/playlists/watch-later' })).statusCode).toBe(401);
  });
});

describe('watch history', () => {
  it('remembers where I stopped, lists latest first, and forgets on request', async () => {
    const first = await insertReadyVideo(t, bob.user.id, { title: 'First' });
    const second = await insertReadyVideo(t, bob.user.id, { title: 'Second' });
    await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${first}/progress`, headers: as(alice), payload: { positionSeconds: 12.5 } });
    await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${second}/progress`, headers: as(alice), payload: { positionSeconds: 30 } });
    expect((await t.app.inject({ url: `/api/v1/videos/${first}/progress`, headers: as(alice) })).json<Progress>()).toEqual({ positionSeconds: 12.5 });
    // Finished videos start again from the beginning (duration is 60 s).
    await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${second}/progress`, headers: as(alice), payload: { positionSeconds: 59 } });
    expect((await t.app.inject({ url: `/api/v1/videos/${second}/progress`, headers: as(alice) })).json<Progress>()).toEqual({ positionSeconds: null });
    const history = (await t.app.inject({ url: '/api/v1/users/me/history', headers: as(alice) })).json<HistoryPage>();
    expect(history.items.map((entry) => entry.video.title)).toEqual(['Second', 'First']);
    expect((await t.app.inject({ url: '/api/v1/users/me/history', headers: as(bob) })).json<HistoryPage>().items).toEqual([]);

    await t.app.inject({ method: 'DELETE', url: `/api/v1/users/me/history/${second}`, headers: as(alice) });
    expect((await t.app.inject({ url: '/api/v1/users/me/history', headers: as(alice) })).json<HistoryPage>().items.map((e) => e.video.title)).toEqual(['First']);
    await t.app.inject({ method: 'DELETE', url: '/api/v1/users/me/history', headers: as(alice) });
    expect((await t.app.inject({ url: '/api/v1/users/me/history', headers: as(alice) })).json<HistoryPage>().items).toEqual([]);
  });

  it('records nothing while paused', async () => {
    const videoId = await insertReadyVideo(t, bob.user.id);
    await t.app.inject({ method: 'PUT', url: '/api/v1/users/me/history/settings', headers: as(alice), payload: { paused: true } });
    expect((await t.app.inject({ url: '/api/v1/users/me/history/settings', headers: as(alice) })).json()).toEqual({ paused: true });
    await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${videoId}/progress`, headers: as(alice), payload: { positionSeconds: 5 } });
    expect((await t.app.inject({ url: '/api/v1/users/me/history', headers: as(alice) })).json<HistoryPage>().items).toEqual([]);
    await t.app.inject({ method: 'PUT', url: '/api/v1/users/me/history/settings', headers: as(alice), payload: { paused: false } });
  });
});
