import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { decodeAll, FAST_TRANSCODE_ENV, ffprobeJson, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';

let t: TestApp;
let base: string;
let workDir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let source: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-pipeline-'));
  t = await startTestApp(FAST_TRANSCODE_ENV, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  owner = await registerUser(t.app, 'uploader');
  source = await makeVideo(workDir, 'clip.mp4', { width: 320, height: 240, seconds: 3 });
});
afterAll(async () => {
  await t?.close();
  await rm(workDir, { recursive: true, force: true });
});

async function createVideo(token: string, body: Record<string, unknown> = { title: 'My clip' }) {
  const response = await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: body });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string; status: string; upload: { url: string; maxBytes: number } }>();
}

async function getVideo(id: string, token?: string): Promise<Video> {
  const response = await t.app.inject({ url: `/api/v1/videos/${id}`, headers: token ? bearer(token) : {} });
  return response.json();
}

async function waitForFinalStatus(id: string, token: string): Promise<Video> {
  return waitFor(
    async () => {
      const video = await getVideo(id, token);
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    },
    90_000,
    `video ${id} to finish processing`,
  );
}

describe('upload → transcode → HLS and DASH', () => {
  let videoId: string;
  let ready: Video;

  it('creates a video awaiting its upload', async () => {
    const created = await createVideo(owner.accessToken, {
      title: 'My clip',
      description: 'A test pattern',
      visibility: 'public',
      tags: ['Test', 'test', 'pattern'],
    });
    expect(created.status).toBe('awaiting_upload');
    expect(created.upload.url).toMatch(/\/api\/v1\/uploads$/);
    videoId = created.id;
    const video = await getVideo(videoId, owner.accessToken);
    expect(video).toMatchObject({ status: 'awaiting_upload', title: 'My clip', tags: ['test', 'pattern'], playback: null });
    // Not ready, so nobody else can see it yet.
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}` })).statusCode).toBe(404);
  });

  it('resumes an interrupted tus upload, then queues the video', async () => {
    const { size } = await stat(source);
    const first = await tusUpload(source, {
      endpoint: `${base}/api/v1/uploads`,
      token: owner.accessToken,
      videoId,
      chunkSize: 16 * 1024,
      stopAfterBytes: 16 * 1024,
    });
    expect(first.completed).toBe(false);
    expect(first.url).toBe(`${base}/api/v1/uploads/${videoId}`);
    const head = await fetch(first.url!, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', ...bearer(owner.accessToken) } });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(size);
    expect((await getVideo(videoId, owner.accessToken)).status).toBe('awaiting_upload');

    const resumed = await tusUpload(source, {
      endpoint: `${base}/api/v1/uploads`,
      token: owner.accessToken,
      videoId,
      uploadUrl: first.url,
      chunkSize: 64 * 1024,
    });
    expect(resumed.completed).toBe(true);
    const video = await getVideo(videoId, owner.accessToken);
    expect(['queued', 'processing', 'ready']).toContain(video.status);
  });

  it('becomes ready with a ladder, poster and storyboard', async () => {
    ready = await waitForFinalStatus(videoId, owner.accessToken);
    expect(ready.error).toBeNull();
    expect(ready.status).toBe('ready');
    expect(ready).toMatchObject({ width: 320, height: 240, progress: 1 });
    expect(ready.durationSeconds).toBeCloseTo(3, 0);
    expect(ready.renditions.map((r) => [r.name, r.width, r.height])).toEqual([
      ['144p', 192, 144],
      ['240p', 320, 240],
    ]);
    for (const rendition of ready.renditions) {
      expect(rendition.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(rendition.bandwidth).toBeGreaterThan(0);
      expect(rendition.frameRate).toBe(25);
    }
    expect(ready.publishedAt).not.toBeNull();
    expect(ready.playback?.hls).toMatch(/\/media\/videos\/.+\/master\.m3u8$/);
    expect(ready.playback?.dash).toMatch(/\/media\/videos\/.+\/manifest\.mpd$/);
  });

  it('serves an HLS master that lists every rung with CODECS, RESOLUTION and FRAME-RATE, and whose segments decode', async () => {
    const masterUrl = `${base}${ready.playback!.hls}`;
    const master = await (await fetch(masterUrl)).text();
    expect(master).toMatch(/#EXT-X-STREAM-INF:.*RESOLUTION=192x144/);
    expect(master).toMatch(/#EXT-X-STREAM-INF:.*RESOLUTION=320x240/);
    for (const line of master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'))) {
      expect(line).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
      expect(line).toMatch(/FRAME-RATE=25/);
      expect(line).toMatch(/BANDWIDTH=\d+/);
    }
    const probe = await ffprobeJson(masterUrl);
    const heights = probe.streams.filter((s) => s.codec_type === 'video').map((s) => s.height);
    expect(new Set(heights)).toEqual(new Set([144, 240]));
    expect(probe.streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
    await decodeAll(masterUrl);
  });

  it('serves a DASH manifest over the same segments', async () => {
    const dashUrl = `${base}${ready.playback!.dash}`;
    const mpd = await (await fetch(dashUrl)).text();
    expect(mpd).toContain('<MPD');
    expect(mpd).toMatch(/height="144"/);
    expect(mpd).toMatch(/height="240"/);
    const probe = await ffprobeJson(dashUrl);
    expect(new Set(probe.streams.filter((s) => s.codec_type === 'video').map((s) => s.height))).toEqual(new Set([144, 240]));
    await decodeAll(dashUrl);
  });

  it('serves the poster and a storyboard VTT pointing into the sprite', async () => {
    const poster = await fetch(`${base}${ready.thumbnailUrl}`);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    const probe = await ffprobeJson(`${base}${ready.thumbnailUrl}`);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 320 });
    const vtt = await (await fetch(`${base}${ready.storyboard!.vttUrl}`)).text();
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toMatch(/00:00:00\.000 --> 00:00:01\.000\nstoryboard\.jpg#xywh=0,0,160,120/);
    const sprite = await fetch(new URL('storyboard.jpg', `${base}${ready.storyboard!.vttUrl}`));
    expect(sprite.status).toBe(200);
  });

  it('lists the video publicly and in the owner’s own list', async () => {
    const feed = (await t.app.inject({ url: '/api/v1/videos' })).json();
    expect(feed.items.map((v: Video) => v.id)).toContain(videoId);
    const mine = (await t.app.inject({ url: '/api/v1/users/me/videos', headers: bearer(owner.accessToken) })).json();
    expect(mine.items.map((v: Video) => v.id)).toContain(videoId);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('tube_videos{status="ready"} 1');
    expect(metrics).toMatch(/tube_jobs_total\{queue="video.transcode",outcome="completed"\} 1/);
  });
});

describe('ownership and limits', () => {
  it('only the owner can upload to a video', async () => {
    const created = await createVideo(owner.accessToken);
    const stranger = await registerUser(t.app);
    await expect(tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: stranger.accessToken, videoId: created.id })).rejects.toThrow(/404/);
    const anonymous = await fetch(`${base}/api/v1/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } });
    expect(anonymous.status).toBe(401);
  });

  it('refuses an upload larger than the limit from its Upload-Length, before any byte is sent', async () => {
    const created = await createVideo(owner.accessToken);
    const response = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(t.config.UPLOAD_MAX_BYTES + 1),
        'upload-metadata': `videoId ${Buffer.from(created.id).toString('base64')}`,
        ...bearer(owner.accessToken),
      },
    });
    expect(response.status).toBe(413);
  });

  it('requires a videoId in the tus metadata', async () => {
    const response = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '100', ...bearer(owner.accessToken) },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('videoId');
  });

  it('private videos are invisible to others; edits and deletes are owner-only', async () => {
    const created = await createVideo(owner.accessToken, { title: 'Secret', visibility: 'private' });
    const stranger = await registerUser(t.app);
    expect((await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(stranger.accessToken) })).statusCode).toBe(404);
    const edit = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${created.id}`,
      headers: bearer(stranger.accessToken),
      payload: { title: 'Mine now' },
    });
    expect(edit.statusCode).toBe(404);
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${created.id}`, headers: bearer(stranger.accessToken) });
    expect(del.statusCode).toBe(404);
    const ownEdit = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${created.id}`,
      headers: bearer(owner.accessToken),
      payload: { title: 'Renamed', visibility: 'unlisted' },
    });
    expect(ownEdit.json()).toMatchObject({ title: 'Renamed', visibility: 'unlisted' });
  });
});

describe('delete', () => {
  it('removes the row and every stored file', async () => {
    const created = await createVideo(owner.accessToken, { title: 'Short-lived' });
    await tusUpload(source, { endpoint: `${base}/api/v1/uploads`, token: owner.accessToken, videoId: created.id });
    const video = await waitForFinalStatus(created.id, owner.accessToken);
    expect(video.status).toBe('ready');
    expect((await t.infra.storage.list(`videos/${created.id}`)).length).toBeGreaterThan(5);
    expect(await t.infra.storage.exists(`uploads/${created.id}`)).toBe(true);

    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${created.id}`, headers: bearer(owner.accessToken) });
    expect(response.statusCode).toBe(204);
    expect(await t.infra.storage.list(`videos/${created.id}`)).toEqual([]);
    expect(await t.infra.storage.exists(`uploads/${created.id}`)).toBe(false);
    expect((await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(404);
    expect((await fetch(`${base}${video.playback!.hls}`)).status).toBe(404);
  });

  it('waits for a worker that is publishing the video instead of deadlocking with it', async () => {
    const { id } = await createVideo(owner.accessToken, { title: 'Deleted while publishing' });
    const db = t.infra.db;
    await sql`INSERT INTO transcode_plans (video_id, media_prefix, plan) VALUES (${id}, ${`videos/${id}/abcdefgh`}, '{}'::jsonb)`.execute(db);
    // What a publishing worker does: the plan row first, then (after writing manifests) the video row.
    let planLocked!: () => void;
    let mayUpdateVideo!: () => void;
    const locked = new Promise<void>((resolve) => (planLocked = resolve));
    const goOn = new Promise<void>((resolve) => (mayUpdateVideo = resolve));
    const publishing = db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM transcode_plans WHERE video_id = ${id} FOR UPDATE`.execute(trx);
      planLocked();
      await goOn;
      await sql`UPDATE videos SET title = title WHERE id = ${id}`.execute(trx);
    });
    await locked;
    const deleting = t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) });
    await waitFor(
      async () => {
        const { rows } = await sql<{ waiting: number }>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
        return rows[0]!.waiting > 0;
      },
      10_000,
      'the delete to wait for the lock',
    );
    mayUpdateVideo();
    await publishing;
    const response = await deleting;
    expect(response.statusCode, response.body).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(404);
  });
});
