/**
 * On the S3 driver the bytes of an upload in progress are parts of an unfinished S3 multipart upload (not
 * readable) and a tail in PostgreSQL, so nothing is processed before completion: the studio says so, and the
 * upload then goes the usual way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';

let s3: S3Server;
let t: TestApp;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-early-s3-'));
  s3 = await startS3Server(dir);
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, ...s3StorageEnv(s3), TRANSCODE_MODE: 'chunked', EARLY_START: 'true' }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('early start on the S3 driver', () => {
  it('a WebM that could start early on fs waits for completion on S3, says why, and then processes as usual', async () => {
    const { accessToken } = await registerUser(t.app);
    const source = await makeVideo(dir, 'clip.webm', {
      seconds: 6,
      extraArgs: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'],
    });
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(accessToken), payload: { title: 'On S3' } })).json<{
      id: string;
    }>();
    const endpoint = `${base}/api/v1/uploads`;
    const first = await tusUpload(source, { endpoint, token: accessToken, videoId: created.id, chunkSize: 64 * 1024, stopAfterBytes: 128 * 1024 });
    expect(first.completed).toBe(false);
    const getVideo = async () => (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(accessToken) })).json<Video>();
    // Decided after the PATCH has been answered.
    const waiting = await waitFor(async () => ((await getVideo()).processingStart ? getVideo() : undefined), 30_000, 'the decision');
    expect(waiting.status).toBe('awaiting_upload');
    expect(waiting.processingStart).toBe('at_completion');
    expect(waiting.processingStartNote).toBe(
      'Processing starts when the upload completes: this server stores uploads where workers cannot read them before they are complete',
    );
    expect(await t.infra.db.selectFrom('transcode_plans').selectAll().where('video_id', '=', created.id).execute()).toEqual([]);

    const second = await tusUpload(source, { endpoint, token: accessToken, videoId: created.id, uploadUrl: first.url, chunkSize: 256 * 1024 });
    expect(second.completed).toBe(true);
    const video = await waitFor(
      async () => {
        const v = await getVideo();
        return v.status === 'ready' || v.status === 'failed' ? v : undefined;
      },
      120_000,
      'the S3 video to finish',
    );
    expect(video.error).toBeNull();
    expect(video.status).toBe('ready');
    expect(video.processingStart).toBeNull();
  }, 180_000);
});
