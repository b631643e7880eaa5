import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Playback, Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/** Narrowing who may watch a video cuts the signed media links already handed out, at once. */
let t: TestApp;
let owner: string;
let ownerId: string;

beforeAll(async () => {
  t = await startTestApp();
  const registered = await registerUser(t.app);
  owner = registered.accessToken;
  ownerId = registered.user.id;
});
afterAll(async () => {
  await t?.close();
});

/** A ready video whose media files exist (no transcode needed: the media route only reads the files). */
async function readyVideo(visibility: Video['visibility']): Promise<string> {
  const id = await insertReadyVideo(t, ownerId, { visibility });
  const prefix = `videos/${id}/v1`;
  await t.infra.db.updateTable('videos').set({ media_prefix: prefix }).where('id', '=', id).execute();
  for (const file of ['master.m3u8', 'manifest.mpd', 'poster.jpg']) await t.infra.storage.put(`${prefix}/${file}`, `contents of ${file}`);
  return id;
}

async function playback(id: string, token?: string): Promise<Playback> {
  const response = await t.app.inject({ url: `/api/v1/videos/${id}/playback`, headers: token ? bearer(token) : {} });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Playback>();
}

const fetchMedia = (url: string) => t.app.inject({ url });

async function setVisibility(id: string, visibility: Video['visibility']) {
  const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: bearer(owner), payload: { visibility } });
  expect(response.statusCode).toBe(200);
}

describe('signed media links and visibility changes', () => {
  it('a link handed out while unlisted is refused right after the video is made private; a new one works for the owner', async () => {
    const id = await readyVideo('unlisted');
    const handedOut = await playback(id);
    expect(handedOut.hls).toMatch(/\/media\/t\//);
    expect((await fetchMedia(handedOut.hls)).statusCode).toBe(200);
    expect((await fetchMedia(handedOut.thumbnails.poster)).statusCode).toBe(200);

    await setVisibility(id, 'private');

    for (const url of [handedOut.hls, handedOut.dash, handedOut.thumbnails.poster]) {
      const response = await fetchMedia(url);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('invalid_signature');
    }
    const fresh = await playback(id, owner);
    expect(fresh.hls).not.toBe(handedOut.hls);
    expect((await fetchMedia(fresh.hls)).statusCode).toBe(200);
    expect((await fetchMedia(fresh.hls)).body).toBe('contents of master.m3u8');
  });

  it('public → private cuts the plain links, and unlisted → private → unlisted does not revive the first links', async () => {
    const id = await readyVideo('public');
    const publicLink = (await playback(id)).hls;
    expect((await fetchMedia(publicLink)).statusCode).toBe(200);
    await setVisibility(id, 'private');
    expect((await fetchMedia(publicLink)).statusCode).toBe(403);

    await setVisibility(id, 'unlisted');
    const unlistedLink = (await playback(id)).hls;
    await setVisibility(id, 'private');
    await setVisibility(id, 'unlisted');
    expect((await fetchMedia(unlistedLink)).statusCode).toBe(403);
    expect((await fetchMedia((await playback(id)).hls)).statusCode).toBe(200);
  });

  it('widening keeps the links already handed out working', async () => {
    const id = await readyVideo('private');
    const ownerLink = (await playback(id, owner)).hls;
    await setVisibility(id, 'unlisted');
    expect((await fetchMedia(ownerLink)).statusCode).toBe(200);
    // Edits that do not touch visibility leave links alone too.
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: bearer(owner), payload: { title: 'Renamed' } });
    expect(edit.statusCode).toBe(200);
    expect((await fetchMedia(ownerLink)).statusCode).toBe(200);
  });

  it('a deleted video serves nothing through its old links', async () => {
    const id = await readyVideo('unlisted');
    const link = (await playback(id)).hls;
    expect((await fetchMedia(link)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${id}`, headers: bearer(owner) })).statusCode).toBe(204);
    expect((await fetchMedia(link)).statusCode).toBe(404);
  });
});
