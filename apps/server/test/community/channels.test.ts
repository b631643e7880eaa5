import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ErrorBody } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/client.ts';
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
    const user = apiClient(t.app, (await registerUser(t.app, 'maker')).accessToken);
    const mine = await user.channels.mine();
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ handle: 'maker', isDefault: true, subscriberCount: 0 });

    const second = await user.channels.create({ handle: 'maker-gaming', name: 'Maker Gaming' });
    expect(second).toMatchObject({ handle: 'maker-gaming', isDefault: false, owner: { username: 'maker' } });
    const third = await user.request('POST', '/channels', { handle: 'maker-three', name: 'Three' });
    expect(third.statusCode).toBe(409);
    expect(third.json<ErrorBody>().error.code).toBe('channel_limit');
  });

  it('handles are unique ignoring case, including against usernames’ default channels', async () => {
    const user = apiClient(t.app, (await registerUser(t.app)).accessToken);
    const taken = await user.request('POST', '/channels', { handle: 'MAKER', name: 'Copycat' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json<ErrorBody>().error.code).toBe('handle_taken');
  });

  it('can be found by handle or id, lists its public videos, and only its owner may edit it', async () => {
    const owner = await registerUser(t.app, 'lister');
    await insertReadyVideo(t, owner.user.id, { title: 'Public one' });
    await insertReadyVideo(t, owner.user.id, { title: 'Private one', visibility: 'private' });
    await insertReadyVideo(t, owner.user.id, { title: 'Unlisted one', visibility: 'unlisted' });
    const anonymous = apiClient(t.app);
    const byHandle = await anonymous.channels.get('LISTER');
    expect(byHandle).toMatchObject({ handle: 'lister', videoCount: 1, subscribed: null });
    expect((await anonymous.channels.get(byHandle.id)).handle).toBe('lister');
    const videos = await anonymous.channels.videos('lister');
    expect(videos.items.map((v) => v.title)).toEqual(['Public one']);

    const stranger = apiClient(t.app, (await registerUser(t.app)).accessToken);
    expect((await stranger.request('PATCH', `/channels/${byHandle.id}`, { name: 'Hacked' })).statusCode).toBe(403);
    const ownEdit = await apiClient(t.app, owner.accessToken).channels.update('lister', { name: 'The Lister', description: 'Lists' });
    expect(ownEdit).toMatchObject({ name: 'The Lister', description: 'Lists' });
  });

  it('resizes avatars and banners server-side and serves them', async () => {
    const owner = await registerUser(t.app, 'artist');
    const source = path.join(dir, 'photo.png');
    await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1000x700', '-frames:v', '1', source]);
    for (const [kind, width, height] of [
      ['avatar', 256, 256],
      ['banner', 2048, 340],
    ] as const) {
      const response = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/channels/artist/${kind}`,
        headers: { ...bearer(owner.accessToken), 'content-type': 'image/png' },
        payload: await readFile(source),
      });
      expect(response.statusCode).toBe(200);
      const url = response.json<Channel>()[kind === 'avatar' ? 'avatarUrl' : 'bannerUrl']!;
      expect(url).toMatch(new RegExp(`^/media/channels/.+/${kind}-[0-9a-f]{12}\\.jpg$`));
      const address = t.app.server.address() as { port: number };
      const probe = await ffprobeJson(`http://127.0.0.1:${address.port}${url}`);
      expect(probe.streams[0]).toMatchObject({ width, height });
    }
    const notImage = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/channels/artist/avatar',
      headers: { ...bearer(owner.accessToken), 'content-type': 'image/jpeg' },
      payload: Buffer.from('not an image'),
    });
    expect(notImage.statusCode).toBe(415);
    expect(notImage.json<ErrorBody>().error.message).toMatch(/not an image/);
  });
});

describe('subscriptions', () => {
  it('keep an exact count under concurrent subscribes and unsubscribes', async () => {
    const creator = apiClient(t.app, (await registerUser(t.app, 'popular')).accessToken);
    const fans = (await Promise.all(Array.from({ length: 12 }, () => registerUser(t.app)))).map((fan) => apiClient(t.app, fan.accessToken));
    // Each fan subscribes twice at once (idempotent), then half unsubscribe twice at once.
    await Promise.all(fans.flatMap((fan) => [0, 1].map(() => fan.channels.subscribe('popular'))));
    expect((await apiClient(t.app).channels.get('popular')).subscriberCount).toBe(12);
    await Promise.all(fans.slice(0, 6).flatMap((fan) => [0, 1].map(() => fan.channels.unsubscribe('popular'))));
    const channel = await fans[7]!.channels.get('popular');
    expect(channel.subscriberCount).toBe(6);
    expect(channel.subscribed).toBe(true);
    const counted = await t.infra.db
      .selectFrom('subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channel.id)
      .executeTakeFirstOrThrow();
    expect(Number(counted.n)).toBe(6);
    expect((await creator.request('PUT', '/channels/popular/subscription')).statusCode).toBe(400);
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
    const asViewer = apiClient(t.app, viewer.accessToken);
    await asViewer.channels.subscribe('chan-a');
    const feed = await asViewer.channels.feed();
    expect(feed.items.map((v) => v.title)).toEqual(['A new', 'A old']);
    const subs = await asViewer.channels.subscriptions();
    expect(subs.items.map((c) => c.handle)).toEqual(['chan-a']);
  });
});
