import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { decodeAll, FAST_TRANSCODE_ENV, ffprobeJson, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';

let s3: S3Server;
let t: TestApp;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-s3-pipeline-'));
  s3 = await startS3Server(dir);
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, ...s3StorageEnv(s3) }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the pipeline on the S3 driver (s3rver)', () => {
  it('uploads with tus (resuming once) into the bucket, transcodes from and publishes to the bucket, and plays back', async () => {
    const { accessToken } = await registerUser(t.app);
    const source = await makeVideo(dir, 'clip.mp4', { width: 320, height: 240, seconds: 3 });
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(accessToken), payload: { title: 'On S3' } })).json();
    const endpoint = `${base}/api/v1/uploads`;
    const first = await tusUpload(source, { endpoint, token: accessToken, videoId: created.id, chunkSize: 32 * 1024, stopAfterBytes: 32 * 1024 });
    expect(first.completed).toBe(false);
    const second = await tusUpload(source, { endpoint, token: accessToken, videoId: created.id, uploadUrl: first.url, chunkSize: 64 * 1024 });
    expect(second.completed).toBe(true);
    // The finished upload was moved from the API node's staging area into the bucket.
    expect(await t.infra.storage.exists(`uploads/${created.id}`)).toBe(true);
    expect(existsSync(path.join(t.dataDir, 'upload-staging', 'uploads', created.id))).toBe(false);

    const video = await waitFor(
      async () => {
        const v = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(accessToken) })).json<Video>();
        return v.status === 'ready' || v.status === 'failed' ? v : undefined;
      },
      90_000,
      'the S3 video to finish',
    );
    expect(video.error).toBeNull();
    expect(video.status).toBe('ready');

    const keys = await t.infra.storage.list(`videos/${created.id}`);
    expect(keys.some((key) => key.endsWith('/master.m3u8'))).toBe(true);
    expect(keys.some((key) => key.endsWith('/manifest.mpd'))).toBe(true);
    expect(keys.filter((key) => key.endsWith('.m4s')).length).toBeGreaterThan(6);

    const probe = await ffprobeJson(`${base}${video.playback!.hls}`);
    expect(new Set(probe.streams.filter((s) => s.codec_type === 'video').map((s) => s.height))).toEqual(new Set([144, 240]));
    await decodeAll(`${base}${video.playback!.dash}`);

    const ranged = await fetch(`${base}${video.thumbnailUrl}`, { headers: { range: 'bytes=0-1' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(Buffer.from([0xff, 0xd8]));
  }, 150_000);
});
