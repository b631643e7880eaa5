import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Video } from '@tube/shared';
import { buildChannelImageArgs } from '../../src/channels/channel-images.ts';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FFMPEG, ffprobeJson } from '../helpers/media.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

const run = promisify(execFile);
let t: TestApp;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-channels-'));
  t = await startTestApp({ MAX_CHANNELS_PER_USER: '2' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('channels', () => {
  it('every account starts with a default channel; more can be created up to the limit', async () => {
    const user = await registerUser(t.app, 'maker');
    const mine = (await t.app.inject({ url: '/api/v1/users/me/channels', headers: bearer(user.accessToken) })).json<{ items: Channel[] }>();
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ handle: 'maker', isDefault: true, subscriberCount: 0 });

    const second = await t.app.inject({ method: 'POST', url: '/api/v1/channels', headers: bearer(user.accessToken), payload: { handle: 'maker-gaming', name: 'Maker Gaming' } });
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ handle: 'maker-gaming', isDefault: false, owner: { username: 'maker' } });
    const third = await t.app.inject({ method: 'POST', url: '/api/v1/channels', headers: bearer(user.accessToken), payload: { handle: 'maker-three', name: 'Three' } });
    expect(third.statusCode).toBe(409);
    expect(third.json().error.code).toBe('channel_limit');
  });

  it('handles are unique ignoring case, including against usernames’ default channels', async () => {
    const user = await registerUser(t.app);
    const taken = await t.app.inject({ method: 'POST', url: '/api/v1/channels', headers: bearer(user.accessToken), payload: { handle: 'MAKER', name: 'Copycat' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('handle_taken');
  });

  it('can be found by handle or id, lists its public videos, and only its owner may edit it', async () => {
    const owner = await registerUser(t.app, 'lister');
    await insertReadyVideo(t, owner.user.id, { title: 'Public one' });
    await insertReadyVideo(t, owner.user.id, { title: 'Private one', visibility: 'private' });
    await insertReadyVideo(t, owner.user.id, { title: 'Unlisted one', visibility: 'unlisted' });
    const byHandle = (await t.app.inject({ url: '/api/v1/channels/LISTER' })).json<Channel>();
    expect(byHandle).toMatchObject({ handle: 'lister', videoCount: 1, subscribed: null });
    expect((await t.app.inject({ url: `/api/v1/channels/${byHandle.id}` })).json().handle).toBe('lister');
    const videos = (await t.app.inject({ url: '/api/v1/channels/lister/videos' })).json<{ items: Video[] }>();
    expect(videos.items.map((v) => v.title)).toEqual(['Public one']);

    const stranger = await registerUser(t.app);
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/channels/${byHandle.id}`, headers: bearer(stranger.accessToken), payload: { name: 'Hacked' } });
    expect(edit.statusCode).toBe(403);
    const ownEdit = await t.app.inject({ method: 'PATCH', url: `/api/v1/channels/lister`, headers: bearer(owner.accessToken), payload: { name: 'The Lister', description: 'Lists' } });
    expect(ownEdit.json()).toMatchObject({ name: 'The Lister', description: 'Lists' });
  });

  it('resizes avatars and banners server-side and serves them', async () => {
    const owner = await registerUser(t.app, 'artist');
    const source = path.join(dir, 'photo.png');
    await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1000x700', '-frames:v', '1', source]);
    for (const [kind, width, height] of [
      ['avatar', 256, 256],
      ['banner', 2048, 340],
    ] as const) {
      const response = await t.app.inject({ method: 'PUT', url: `/api/v1/channels/artist/${kind}`, headers: { ...bearer(owner.accessToken), 'content-type': 'image/png' }, payload: await readFile(source) });
      expect(response.statusCode).toBe(200);
      const url = response.json<Channel>()[kind === 'avatar' ? 'avatarUrl' : 'bannerUrl']!;
      expect(url).toMatch(new RegExp(`^/media/channels/.+/${kind}-[0-9a-f]{12}\\.jpg$`));
      const address = t.app.server.address() as { port: number };
      const probe = await ffprobeJson(`http://127.0.0.1:${address.port}${url}`);
      expect(probe.streams[0]).toMatchObject({ width, height });
    }
    const notImage = await t.app.inject({ method: 'PUT', url: '/api/v1/channels/artist/avatar', headers: { ...bearer(owner.accessToken), 'content-type': 'image/jpeg' }, payload: Buffer.from('not an image') });
    expect(notImage.statusCode).toBe(400);
    expect(notImage.json().error.message).toMatch(/not an image/);
  });

  it('builds the exact ffmpeg arguments for channel art', () => {
    expect(buildChannelImageArgs('in.png', 'out.jpg', 'avatar')).toEqual([
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', 'in.png',
      '-vf', 'scale=256:256:force_original_aspect_ratio=increase,crop=256:256,setsar=1',
      '-frames:v', '1', '-q:v', '3', '-map_metadata', '-1', 'out.jpg',
    ]);
  });
});

describe('subscriptions', () => {
  it('keep an exact count under concurrent subscribes and unsubscribes', async () => {
    const creator = await registerUser(t.app, 'popular');
    const fans = await Promise.all(Array.from({ length: 12 }, () => registerUser(t.app)));
    // Each fan subscribes twice at once (idempotent), then half unsubscribe twice at once.
    await Promise.all(fans.flatMap((fan) => [0, 1].map(() => t.app.inject({ method: 'PUT', url: '/api/v1/channels/popular/subscription', headers: bearer(fan.accessToken) }))));
    expect((await t.app.inject({ url: '/api/v1/channels/popular' })).json().subscriberCount).toBe(12);
    await Promise.all(fans.slice(0, 6).flatMap((fan) => [0, 1].map(() => t.app.inject({ method: 'DELETE', url: '/api/v1/channels/popular/subscription', headers: bearer(fan.accessToken) }))));
    const channel = (await t.app.inject({ url: '/api/v1/channels/popular', headers: bearer(fans[7]!.accessToken) })).json<Channel>();
    expect(channel.subscriberCount).toBe(6);
    expect(channel.subscribed).toBe(true);
    const counted = await t.infra.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(6);
    const own = await t.app.inject({ method: 'PUT', url: '/api/v1/channels/popular/subscription', headers: bearer(creator.accessToken) });
    expect(own.statusCode).toBe(400);
  });

  it('feed the newest public videos of subscribed channels only', async () => {
    const a = await registerUser(t.app, 'chan-a');
    const b = await registerUser(t.app, 'chan-b');
    const viewer = await registerUser(t.app);
    await insertReadyVideo(t, a.user.id, { title: 'A old', publishedAt: new Date(Date.now() - 3600_000) });
    await insertReadyVideo(t, a.user.id, { title: 'A new' });
    await insertReadyVideo(t, a.user.id, { title: 'A private', visibility: 'private' });
    await insertReadyVideo(t, a.user.id, { title: 'A unlisted', visibility: 'unlisted' });
    await insertReadyVideo(t, b.user.id, { title: 'B (not subscribed)' });
    await t.app.inject({ method: 'PUT', url: '/api/v1/channels/chan-a/subscription', headers: bearer(viewer.accessToken) });
    const feed = (await t.app.inject({ url: '/api/v1/feed/subscriptions', headers: bearer(viewer.accessToken) })).json<{ items: Video[] }>();
    expect(feed.items.map((v) => v.title)).toEqual(['A new', 'A old']);
    const subs = (await t.app.inject({ url: '/api/v1/users/me/subscriptions', headers: bearer(viewer.accessToken) })).json<{ items: Channel[] }>();
    expect(subs.items.map((c) => c.handle)).toEqual(['chan-a']);
  });
});
