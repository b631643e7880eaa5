import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/**
 * Warm anonymous reads of a video and its playback links are answered from the process's local copy in an
 * onRequest hook, before validation and the handler. These tests check that the shortcut is taken, and that it
 * never changes who sees what, which headers are sent, or how soon an edit shows.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

/** Counts calls to the service methods the route handlers use; the early answer calls neither. */
function countHandlerLookups() {
  const videos = t.services.videos;
  const prepared = videos.prepared.bind(videos);
  const preparedPlayback = videos.preparedPlayback.bind(videos);
  const counts = { prepared: 0, playback: 0 };
  videos.prepared = (...args) => {
    counts.prepared++;
    return prepared(...args);
  };
  videos.preparedPlayback = (...args) => {
    counts.playback++;
    return preparedPlayback(...args);
  };
  return {
    counts,
    restore() {
      videos.prepared = prepared;
      videos.preparedPlayback = preparedPlayback;
    },
  };
}

describe('warm anonymous reads answered from memory', () => {
  it('skip the handler once the video is cached, with the same body and headers as the full path', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id, { title: 'Warm' });
    const spy = countHandlerLookups();
    try {
      const first = await t.app.inject({ url: `/api/v1/videos/${id}` });
      expect(first.statusCode).toBe(200);
      expect(spy.counts.prepared).toBe(1);
      const warm = await t.app.inject({ url: `/api/v1/videos/${id}` });
      expect(spy.counts.prepared).toBe(1);
      expect(warm.statusCode).toBe(200);
      expect(warm.body).toBe(first.body);
      expect(warm.json().title).toBe('Warm');
      for (const header of ['etag', 'cache-control', 'vary', 'content-type', 'content-security-policy', 'x-frame-options', 'cross-origin-resource-policy'])
        expect(warm.headers[header], header).toBe(first.headers[header]);
      expect(warm.headers['cache-control']).toBe('public, max-age=10');
      expect(warm.headers['x-request-id']).toBeTruthy();
      expect(warm.headers['x-request-id']).not.toBe(first.headers['x-request-id']);

      const playback = await t.app.inject({ url: `/api/v1/videos/${id}/playback` });
      expect(playback.statusCode).toBe(200);
      expect(playback.json().videoId).toBe(id);
      expect(playback.headers['cache-control']).toBe('public, max-age=30');
      expect(spy.counts.playback).toBe(0);
    } finally {
      spy.restore();
    }
  });

  it('answer If-None-Match with 304 from memory', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id);
    const first = await t.app.inject({ url: `/api/v1/videos/${id}` });
    const spy = countHandlerLookups();
    try {
      const revalidated = await t.app.inject({ url: `/api/v1/videos/${id}`, headers: { 'if-none-match': `W/"other", ${first.headers.etag}` } });
      expect(revalidated.statusCode).toBe(304);
      expect(revalidated.body).toBe('');
      expect(revalidated.headers.etag).toBe(first.headers.etag);
      const links = await t.app.inject({ url: `/api/v1/videos/${id}/playback` });
      const linksAgain = await t.app.inject({ url: `/api/v1/videos/${id}/playback`, headers: { 'if-none-match': String(links.headers.etag) } });
      expect(linksAgain.statusCode).toBe(304);
      expect(spy.counts).toEqual({ prepared: 0, playback: 0 });
    } finally {
      spy.restore();
    }
  });

  it('never serve a private video to anyone but its owner, even once the owner has cached it', async () => {
    const owner = await registerUser(t.app);
    const stranger = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id, { visibility: 'private' });
    expect((await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}/playback`, headers: bearer(owner.accessToken) })).statusCode).toBe(200);
    // The owner's read stored the entry in this process's local copy.
    expect(t.services.localVideos.get(id)?.visibility).toBe('private');
    for (const url of [`/api/v1/videos/${id}`, `/api/v1/videos/${id}/playback`]) {
      expect((await t.app.inject({ url })).statusCode).toBe(404);
      expect((await t.app.inject({ url, headers: bearer(stranger.accessToken) })).statusCode).toBe(404);
    }
    expect(t.services.videos.localForAnonymous(id)).toBeUndefined();
  });

  it('send signed-in and bad-token requests down the full path', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id);
    await t.app.inject({ url: `/api/v1/videos/${id}` });
    const spy = countHandlerLookups();
    try {
      const signedIn = await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.headers['cache-control']).toBe('private, no-cache');
      expect(spy.counts.prepared).toBe(1);
      const badToken = await t.app.inject({ url: `/api/v1/videos/${id}`, headers: { authorization: 'Bearer not-a-token' } });
      expect(badToken.statusCode).toBe(401);
    } finally {
      spy.restore();
    }
  });

  it('keep unlisted videos out of shared caches', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id, { visibility: 'unlisted' });
    await t.app.inject({ url: `/api/v1/videos/${id}` });
    const warm = await t.app.inject({ url: `/api/v1/videos/${id}` });
    expect(warm.statusCode).toBe(200);
    expect(warm.headers['cache-control']).toBe('private, no-cache');
    const links = await t.app.inject({ url: `/api/v1/videos/${id}/playback` });
    expect(links.headers['cache-control']).toBe('private, max-age=30');
    expect(links.json().expiresAt).not.toBeNull();
  });

  it('show an edit at once: new title and ETag, and a video made private disappears', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id, { title: 'Before' });
    const before = await t.app.inject({ url: `/api/v1/videos/${id}` });
    await t.app.inject({ url: `/api/v1/videos/${id}` });
    expect(t.services.videos.localForAnonymous(id)).toBeDefined();
    const edit = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken), payload: { title: 'After' } });
    expect(edit.statusCode).toBe(200);
    const after = await t.app.inject({ url: `/api/v1/videos/${id}`, headers: { 'if-none-match': String(before.headers.etag) } });
    expect(after.statusCode).toBe(200);
    expect(after.json().title).toBe('After');
    expect(after.headers.etag).not.toBe(before.headers.etag);

    const hide = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken), payload: { visibility: 'private' } });
    expect(hide.statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}/playback` })).statusCode).toBe(404);
  });

  it('leave malformed ids to validation', async () => {
    const response = await t.app.inject({ url: '/api/v1/videos/not-a-uuid' });
    expect(response.statusCode).toBe(400);
  });
});
