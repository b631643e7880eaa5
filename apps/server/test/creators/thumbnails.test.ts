import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationPage, Playback, Video, VideoPage } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo } from '../helpers/media.ts';
import { baseUrl, uploadVideo } from '../helpers/videos.ts';
import { account, type Account } from '../discovery/fixtures.ts';

let t: TestApp;
let dir: string;
let creator: Account;
let other: Account;
let video: Video;
let unlisted: Video;

const solid = (width: number, height: number, colour: string) => sharp({ create: { width, height, channels: 3, background: colour } });

async function putThumbnail(id: string, body: Buffer, type = 'image/png', who: Account = creator) {
  return t.app.inject({ method: 'PUT', url: `/api/v1/videos/${id}/thumbnail`, headers: { ...who.headers, 'content-type': type }, payload: body });
}

async function fetchMedia(url: string): Promise<Response> {
  return fetch(`${baseUrl(t)}${new URL(url, 'http://x').pathname}`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-thumbs-'));
  // Below the 25 MP "decompression bomb" case further down.
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, IMAGE_MAX_PIXELS: '16000000' }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  creator = await account(t, 'thumbmaker');
  other = await account(t, 'someone');
  await t.infra.db.insertInto('subscriptions').values({ user_id: other.id, channel_id: creator.channelId }).execute();
  const clip = await makeVideo(dir, 'clip.mp4', { seconds: 2, width: 160, height: 120 });
  video = await uploadVideo(t, creator.token, clip, { title: 'Thumbnail subject', visibility: 'public' });
  unlisted = await uploadVideo(t, creator.token, clip, { title: 'Unlisted subject', visibility: 'unlisted' });
  expect([video.status, unlisted.status]).toEqual(['ready', 'ready']);
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('an uploaded thumbnail', () => {
  it('is re-encoded to a 1280×720 JPEG without metadata and shown everywhere the poster was', async () => {
    const withExif = await solid(800, 600, '#ff0000')
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: 'secret camera owner' } } })
      .toBuffer();
    const response = await putThumbnail(video.id, withExif, 'image/jpeg');
    expect(response.statusCode, response.body).toBe(200);
    const updated = response.json<Video>();
    expect(updated.thumbnailUrl).toMatch(/\/thumb-[0-9a-f]{12}\.jpg$/);
    expect(updated.thumbnailUrl).not.toBe(video.thumbnailUrl);

    const served = await fetchMedia(updated.thumbnailUrl!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.includes(Buffer.from('secret camera owner'))).toBe(false);
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['jpeg', 1280, 720, undefined]);
    const { data } = await sharp(bytes).extract({ left: 640, top: 360, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200);
    expect(data[1]).toBeLessThan(60);

    const playback = (await t.app.inject({ url: `/api/v1/videos/${video.id}/playback` })).json<Playback>();
    expect(playback.thumbnails.poster).toBe(updated.thumbnailUrl);
    const channelCards = (await t.app.inject({ url: `/api/v1/channels/${creator.channelId}/videos` })).json<VideoPage>();
    expect(channelCards.items.find((item) => item.id === video.id)?.thumbnailUrl).toBe(updated.thumbnailUrl);
    const inbox = (await t.app.inject({ url: '/api/v1/notifications', headers: other.headers })).json<NotificationPage>();
    expect(inbox.items.find((item) => item.video?.id === video.id)?.video?.thumbnailUrl).toBe(updated.thumbnailUrl);
  });

  it('replaces the previous custom file, and can be reset to the generated poster', async () => {
    const first = (await putThumbnail(video.id, await solid(320, 180, '#00ff00').png().toBuffer())).json<Video>();
    const second = (await putThumbnail(video.id, await solid(320, 180, '#0000ff').png().toBuffer())).json<Video>();
    expect((await fetchMedia(first.thumbnailUrl!)).status).toBe(404);
    expect((await fetchMedia(second.thumbnailUrl!)).status).toBe(200);
    const reset = (await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${video.id}/thumbnail`, headers: creator.headers })).json<Video>();
    expect(reset.thumbnailUrl).toBe(video.thumbnailUrl);
    expect((await fetchMedia(second.thumbnailUrl!)).status).toBe(404);
  });

  it('of an unlisted video is only reachable through a signed link', async () => {
    const updated = (await putThumbnail(unlisted.id, await solid(320, 180, '#ffffff').png().toBuffer())).json<Video>();
    expect(updated.thumbnailUrl).toContain('/media/t/');
    expect((await fetchMedia(updated.thumbnailUrl!)).status).toBe(200);
    const unsigned = updated.thumbnailUrl!.replace(/\/media\/t\/[^/]+\//, '/media/');
    expect((await fetchMedia(unsigned)).status).toBe(403);
  });

  it('refuses what is not a usable image, or not the owner’s video, with a readable 4xx', async () => {
    const cases: [string, Buffer, string][] = [
      ['text posing as PNG', Buffer.from('this is not an image at all'), 'image/png'],
      ['truncated PNG', (await solid(64, 64, '#123456').png().toBuffer()).subarray(0, 60), 'image/png'],
      ['decompression bomb', await solid(5000, 5000, '#000000').png({ compressionLevel: 9 }).toBuffer(), 'image/png'],
      ['empty body', Buffer.alloc(0), 'image/jpeg'],
    ];
    for (const [name, body, type] of cases) {
      const response = await putThumbnail(video.id, body, type);
      expect(response.statusCode, name).toBe(400);
      expect(response.json(), name).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    const bomb = await putThumbnail(video.id, cases[2]![1]);
    expect(bomb.json().error.message).toMatch(/5000×5000 pixels; the largest accepted is 16 megapixels/);
    expect((await putThumbnail(video.id, Buffer.from('x'), 'text/plain')).statusCode).toBe(415);
    expect((await putThumbnail(video.id, await solid(32, 32, '#000').png().toBuffer(), 'image/png', other)).statusCode).toBe(404);
  });
});

describe('a frame from the storyboard', () => {
  it('becomes the thumbnail, taken from the original at full size', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/videos/${video.id}/thumbnail/frame`,
      headers: creator.headers,
      payload: { atSeconds: 1 },
    });
    expect(response.statusCode, response.body).toBe(200);
    const updated = response.json<Video>();
    expect(updated.thumbnailUrl).toMatch(/\/thumb-[0-9a-f]{12}\.jpg$/);
    const meta = await sharp(Buffer.from(await (await fetchMedia(updated.thumbnailUrl!)).arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([1280, 720]);

    const late = await t.app.inject({
      method: 'POST',
      url: `/api/v1/videos/${video.id}/thumbnail/frame`,
      headers: creator.headers,
      payload: { atSeconds: 99 },
    });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ error: { code: 'invalid_time' } });
  });
});
