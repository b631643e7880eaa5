import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickDownloadStreams } from '@tube/ladder';
import type { DownloadStatus, Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, FFPROBE, makeVideo } from '../helpers/media.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';
import { baseUrl, uploadVideo } from '../helpers/videos.ts';
import { downloadFileKey } from '../../src/downloads/download.service.ts';
import { contentDisposition, downloadFileName } from '../../src/downloads/download-name.ts';

const run = promisify(execFile);
const TITLE = 'My "holiday"/day: été?';
const SECONDS = 3;
const FPS = 25;

type User = Awaited<ReturnType<typeof registerUser>>;

/** Asks for the download until it is ready; returns the JSON answer with the link. */
async function downloadLink(t: TestApp, videoId: string, token?: string): Promise<{ first: number; ready: DownloadStatus }> {
  const headers = { accept: 'application/json', ...(token ? bearer(token) : {}) };
  let first = 0;
  for (let attempt = 0; attempt < 300; attempt++) {
    const response = await t.app.inject({ url: `/api/v1/videos/${videoId}/download`, headers });
    first ||= response.statusCode;
    if (response.statusCode === 200) return { first, ready: response.json<DownloadStatus>() };
    if (response.statusCode !== 202) throw new Error(`download answered ${response.statusCode}: ${response.body}`);
    const body = response.json<DownloadStatus>();
    expect(body.status).toBe('preparing');
    expect(response.headers['retry-after']).toBe('2');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the download was never ready');
}

interface Probe {
  format: { format_name: string; duration: string };
  streams: { codec_type: string; codec_name: string; height?: number; nb_read_packets?: string }[];
}

async function probe(target: string): Promise<Probe> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-count_packets', '-print_format', 'json', '-show_format', '-show_streams', target]);
  return JSON.parse(stdout) as Probe;
}

/** Top-level MP4 box types in file order ("ftyp", "moov", "mdat", …). */
function topLevelBoxes(bytes: Buffer): string[] {
  const boxes: string[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; ) {
    let size = bytes.readUInt32BE(offset);
    if (size === 1) size = Number(bytes.readBigUInt64BE(offset + 8));
    boxes.push(bytes.toString('latin1', offset + 4, offset + 8));
    if (size < 8) break;
    offset += size;
  }
  return boxes;
}

/**
 * Downloads the video's MP4 as `token` and checks it is what the issue asks for: a progressive MP4 (moov before
 * mdat), H.264 + AAC, the best rung's height and every one of its frames, the source's duration.
 */
async function checkDownload(t: TestApp, video: Video, token: string | undefined, scratch: string) {
  const { ready } = await downloadLink(t, video.id, token);
  expect(ready).toMatchObject({ status: 'ready', progress: 1, fileName: downloadFileName(video.title) });
  const response = await fetch(new URL(ready.url!, baseUrl(t)));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-disposition')).toBe(contentDisposition(ready.fileName!));
  expect(response.headers.get('content-type')).toBe('video/mp4');
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(bytes.length).toBe(ready.bytes);
  const file = path.join(scratch, `${video.id}.mp4`);
  await writeFile(file, bytes);

  const boxes = topLevelBoxes(bytes);
  expect(boxes.indexOf('moov')).toBeGreaterThan(-1);
  expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  expect(boxes).not.toContain('moof');

  const mp4 = await probe(file);
  expect(mp4.format.format_name).toContain('mp4');
  expect(Math.abs(Number(mp4.format.duration) - SECONDS)).toBeLessThan(0.25);
  const videoStream = mp4.streams.find((stream) => stream.codec_type === 'video')!;
  expect(videoStream).toMatchObject({ codec_name: 'h264', height: Math.max(...video.renditions.map((r) => r.height)) });
  expect(mp4.streams.find((stream) => stream.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });

  // Every frame of the best rung, as the player gets it from its HLS playlist.
  const master = await (await fetch(`${baseUrl(t)}${video.playback!.hls}`)).text();
  const hlsDir = video.playback!.hls.replace(/[^/]+$/, '');
  const rung = await probe(`${baseUrl(t)}${hlsDir}${pickDownloadStreams(master).video}`);
  const rungFrames = Number(rung.streams.find((stream) => stream.codec_type === 'video')!.nb_read_packets);
  expect(rungFrames).toBe(SECONDS * FPS);
  expect(Number(videoStream.nb_read_packets)).toBe(rungFrames);
  return { ready, file };
}

describe('file names', () => {
  it('are the title without quotes, separators or control characters, with an ASCII fallback and the exact UTF-8 name', () => {
    expect(downloadFileName(TITLE)).toBe('My holiday day été.mp4');
    expect(downloadFileName('..\u0000\u202e  ')).toBe('\u202e.mp4');
    expect(downloadFileName(' ... ')).toBe('video.mp4');
    expect(downloadFileName('x'.repeat(300))).toBe(`${'x'.repeat(100)}.mp4`);
    expect(contentDisposition('My holiday day été.mp4')).toBe(
      `attachment; filename="My holiday day _t_.mp4"; filename*=UTF-8''My%20holiday%20day%20%C3%A9t%C3%A9.mp4`,
    );
    // A name sent back in a link cannot break out of the header.
    expect(contentDisposition('a"; filename="evil.exe\r\nX: y')).toBe(
      `attachment; filename="a ; filename= evil.exe X y.mp4"; filename*=UTF-8''a%20%3B%20filename%3D%20evil.exe%20X%20y.mp4`,
    );
  });
});

describe('downloads on local storage, one-process transcoding', () => {
  let t: TestApp;
  let scratch: string;
  let owner: User;
  let viewer: User;
  let admin: User;
  let video: Video;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'tube-downloads-'));
    t = await startTestApp(FAST_TRANSCODE_ENV, 'all', { withWorker: true });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    owner = await registerUser(t.app);
    viewer = await registerUser(t.app);
    admin = await registerUser(t.app);
    await t.infra.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.user.id).execute();
    // Signed in again, so the access token carries the role.
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: admin.user.username, password: 'correct horse' } });
    admin = { ...admin, accessToken: login.json<{ accessToken: string }>().accessToken };
    const source = await makeVideo(scratch, 'clip.mp4', { seconds: SECONDS, fps: FPS });
    video = await uploadVideo(t, owner.accessToken, source, { title: TITLE });
    expect(video.status).toBe('ready');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const ask = (id: string, token?: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url: `/api/v1/videos/${id}/download`, headers: { ...headers, ...(token ? bearer(token) : {}) } });

  it('are off by default: only the owner and admins may download, others get a readable 403', async () => {
    expect(video.allowDownloads).toBe(false);
    for (const token of [undefined, viewer.accessToken]) {
      const refused = await ask(video.id, token);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'downloads_disabled', message: 'The creator has not allowed downloads of this video' } });
    }
    // Scratch a killed worker left behind is removed by the next download.
    const leftover = path.join(t.dataDir, 'work', 'downloads', `${randomUUID()}-deadbeef`);
    await mkdir(leftover, { recursive: true });
    const { first } = await downloadLink(t, video.id, owner.accessToken);
    expect(first).toBe(202);
    expect(existsSync(leftover)).toBe(false);
    expect(await readdir(path.dirname(leftover))).toEqual([]);
    // Made once: the admin's request finds it ready.
    expect((await ask(video.id, admin.accessToken, { accept: 'application/json' })).statusCode).toBe(200);
  }, 60_000);

  it('give a faststart H.264/AAC MP4 of the best rung with every frame, saved under the sanitised title', async () => {
    await checkDownload(t, video, owner.accessToken, scratch);
  }, 60_000);

  it('redirect to the signed file for clients that do not ask for JSON, and the link serves byte ranges', async () => {
    const redirect = await ask(video.id, owner.accessToken);
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers['cache-control']).toBe('no-store');
    const location = String(redirect.headers.location);
    expect(location).toMatch(/^\/media\/t\/[^/]+\/videos\/[0-9a-f-]{36}\/[^/]+\/download\/My%20holiday%20day%20%C3%A9t%C3%A9\.mp4$/);
    const ranged = await fetch(`${baseUrl(t)}${location}`, { headers: { range: 'bytes=4-7' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).toString('latin1')).toBe('ftyp');
  });

  it('are for everyone who may watch once the creator allows them, set from the edit API', async () => {
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${video.id}`,
      headers: bearer(owner.accessToken),
      payload: { allowDownloads: true },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<Video>().allowDownloads).toBe(true);
    const anonymous = await ask(video.id);
    expect(anonymous.statusCode).toBe(302);
    const file = await fetch(`${baseUrl(t)}${anonymous.headers.location}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="My holiday day _t_\.mp4"/);
    await file.arrayBuffer();
    expect((await ask(video.id, viewer.accessToken)).statusCode).toBe(302);
  });

  it('are never on unsigned, tampered or foreign links; the media route does not serve the file', async () => {
    const location = String((await ask(video.id, owner.accessToken)).headers.location);
    const [, token, key] = /^\/media\/t\/([^/]+)\/(.+)$/.exec(location)!;
    const prefix = key!.replace(/\/download\/.+$/, '');
    expect((await t.app.inject({ url: `/media/${key}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/media/${prefix}/download/video.mp4` })).statusCode).toBe(404);
    const tampered = await t.app.inject({ url: `/media/t/${token!.slice(0, -1)}${token!.endsWith('A') ? 'B' : 'A'}/${key}` });
    expect(tampered.statusCode).toBe(403);
    expect(tampered.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    // A media link's signature (for the prefix) is not a download link's (for <prefix>/download), nor the reverse.
    const mediaToken = /\/media\/t\/([^/]+)\//.exec(t.services.mediaUrls.signedUrl({ prefix, linkGeneration: 0 }, 'master.m3u8').url)![1];
    expect((await t.app.inject({ url: `/media/t/${mediaToken}/${key}` })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/media/t/${token}/${prefix}/master.m3u8` })).statusCode).toBe(403);
    // Renaming the file in the link only renames the saved file, still sanitised.
    const renamed = await t.app.inject({ url: `/media/t/${token}/${prefix}/download/${encodeURIComponent('a"b\\c.mp4')}` });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.headers['content-disposition']).toBe(`attachment; filename="a b c.mp4"; filename*=UTF-8''a%20b%20c.mp4`);
  });

  it('follow the watch rules for unlisted and private videos, and narrowing the visibility cuts the links', async () => {
    const before = String((await ask(video.id)).headers.location);
    const unlisted = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${video.id}`,
      headers: bearer(owner.accessToken),
      payload: { visibility: 'unlisted' },
    });
    expect(unlisted.statusCode).toBe(200);
    expect((await t.app.inject({ url: before })).statusCode).toBe(403);
    const again = await ask(video.id);
    expect(again.statusCode).toBe(302);
    expect((await t.app.inject({ url: String(again.headers.location) })).statusCode).toBe(200);

    await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${video.id}`, headers: bearer(owner.accessToken), payload: { visibility: 'private' } });
    for (const token of [undefined, viewer.accessToken]) {
      const hidden = await ask(video.id, token);
      expect(hidden.statusCode).toBe(404);
      expect(hidden.json()).toMatchObject({ error: { message: 'Video not found' } });
    }
    expect((await ask(video.id, owner.accessToken)).statusCode).toBe(302);
    expect((await ask(video.id, admin.accessToken)).statusCode).toBe(302);
    expect((await ask('00000000-0000-0000-0000-000000000000', owner.accessToken)).statusCode).toBe(404);
    expect((await ask('not-a-uuid', owner.accessToken)).statusCode).toBe(400);
  });

  it('are refused while the video is unfinished, and deleting the video removes the file', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: 'Not uploaded' } })
    ).json<{ id: string }>();
    const unfinished = await ask(created.id, owner.accessToken);
    expect(unfinished.statusCode).toBe(409);
    expect(unfinished.json()).toMatchObject({ error: { code: 'not_ready' } });

    const row = await t.infra.db.selectFrom('videos').select('media_prefix').where('id', '=', video.id).executeTakeFirstOrThrow();
    const key = downloadFileKey(row.media_prefix!);
    expect(await t.infra.storage.exists(key)).toBe(true);
    const link = String((await ask(video.id, owner.accessToken)).headers.location);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${video.id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect(await t.infra.storage.exists(key)).toBe(false);
    expect((await t.app.inject({ url: link })).statusCode).toBe(404);
    expect(await t.infra.db.selectFrom('video_downloads').selectAll().where('video_id', '=', video.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('downloads on S3 (s3rver) with chunked transcoding and presigned media', () => {
  let s3: S3Server;
  let t: TestApp;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'tube-downloads-s3-'));
    s3 = await startS3Server(scratch);
    t = await startTestApp(
      { ...FAST_TRANSCODE_ENV, ...s3StorageEnv(s3), TRANSCODE_MODE: 'chunked', CHUNK_SECONDS: '2', SEGMENT_SECONDS: '1', S3_PRESIGNED_MEDIA: 'true' },
      'all',
      { withWorker: true },
    );
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('remuxes the chunked rungs from the bucket into one MP4, served from a presigned URL as an attachment', async () => {
    const owner = await registerUser(t.app);
    const source = await makeVideo(scratch, 'clip.mp4', { seconds: SECONDS, fps: FPS });
    const video = await uploadVideo(t, owner.accessToken, source, { title: TITLE, visibility: 'unlisted' });
    expect(video.status).toBe('ready');
    const { ready, file } = await checkDownload(t, video, owner.accessToken, scratch);
    // The origin redirected to the bucket, which sent the Content-Disposition the link asked for.
    const origin = await fetch(new URL(ready.url!, baseUrl(t)), { redirect: 'manual' });
    expect(origin.status).toBe(302);
    expect(origin.headers.get('location')).toContain(`http://127.0.0.1:${new URL(s3StorageEnv(s3).S3_ENDPOINT!).port}/`);
    expect((await readFile(file)).length).toBe(ready.bytes);
  }, 150_000);
});
