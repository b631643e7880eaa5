import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Video, VideoPage } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('PUT /api/v1/videos/:id/channel', () => {
  it('moves a video between its owner’s channels, and to no one else’s', async () => {
    const owner = await registerUser(t.app, 'mover');
    const other = await registerUser(t.app, 'bystander');
    const headers = bearer(owner.accessToken);
    const side = (
      await t.app.inject({ method: 'POST', url: '/api/v1/channels', headers, payload: { handle: 'mover-side', name: 'Mover Side' } })
    ).json<Channel>();
    const othersChannel = (await t.app.inject({ url: '/api/v1/users/me/channels', headers: bearer(other.accessToken) })).json<{ items: Channel[] }>().items[0]!;
    const id = await insertReadyVideo(t, owner.user.id, { title: 'Moving day' });
    const move = (channelId: string, token = owner.accessToken) =>
      t.app.inject({ method: 'PUT', url: `/api/v1/videos/${id}/channel`, headers: bearer(token), payload: { channelId } });

    const moved = await move(side.id);
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json<Video>().channel).toMatchObject({ id: side.id, handle: 'mover-side' });
    expect((await t.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().channel.id).toBe(side.id);
    const listed = (await t.app.inject({ url: `/api/v1/channels/${side.id}/videos` })).json<VideoPage>();
    expect(listed.items.map((video) => video.id)).toEqual([id]);

    // Another person's channel, someone else's video, a malformed id: refused, nothing changes.
    expect((await move(othersChannel.id)).statusCode).toBe(404);
    expect((await move(othersChannel.id, other.accessToken)).statusCode).toBe(404);
    expect((await move('not-a-uuid')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${id}/channel`, payload: { channelId: side.id } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${id}/channel`, headers, payload: { channelId: side.id, title: 'x' } })).statusCode).toBe(
      400,
    );
    expect((await t.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().channel.id).toBe(side.id);
  });
});
