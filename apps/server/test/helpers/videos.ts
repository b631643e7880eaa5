import type { AddressInfo } from 'node:net';
import type { Video } from '@tube/shared';
import { bearer, type TestApp } from './app.ts';
import { tusUpload, waitFor } from './media.ts';

export function baseUrl(t: TestApp): string {
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

/** Waits until the video's processing ends (ready or failed), as its owner sees it. */
export function waitForFinalStatus(
  t: TestApp,
  token: string,
  videoId: string,
  timeoutMs = 90_000,
  what = `video ${videoId} to finish processing`,
): Promise<Video> {
  return waitFor(
    async () => {
      const video = (await t.app.inject({ url: `/api/v1/videos/${videoId}`, headers: bearer(token) })).json<Video>();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    },
    timeoutMs,
    what,
  );
}

/** Creates a video, uploads `file` with tus and waits until processing ends (ready or failed). */
export async function uploadVideo(t: TestApp, token: string, file: string, body: Record<string, unknown> = { title: 'A video' }): Promise<Video> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: body })).json<{ id: string }>();
  await tusUpload(file, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token, videoId: created.id });
  return waitForFinalStatus(t, token, created.id);
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * A tus upload driven by hand over HTTP (the app must listen): created with its length, then fed in PATCHes when
 * the test says so, to see what happens while the bytes are still arriving.
 */
export async function startPacedUpload(
  t: TestApp,
  token: string,
  title: string,
  bytes: Buffer,
  file: { name: string; type: string } = { name: 'camera.mp4', type: 'video/mp4' },
) {
  const base = baseUrl(t);
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title } })).json<{ id: string }>();
  const response = await fetch(`${base}/api/v1/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes.length),
      'upload-metadata': `videoId ${b64(created.id)},filename ${b64(file.name)},filetype ${b64(file.type)}`,
    },
  });
  if (response.status !== 201) throw new Error(`creating the upload answered ${response.status}: ${await response.text()}`);
  const url = new URL(response.headers.get('location')!, base).toString();
  let offset = 0;
  return {
    videoId: created.id,
    url,
    /** Sends the bytes up to `end`, in PATCHes of at most `step` bytes (one PATCH by default). */
    async sendTo(end: number, step = end - offset) {
      while (offset < end) {
        const to = Math.min(end, offset + step);
        const patch = await fetch(url, {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${token}`,
            'tus-resumable': '1.0.0',
            'upload-offset': String(offset),
            'content-type': 'application/offset+octet-stream',
          },
          body: new Uint8Array(bytes.subarray(offset, to)),
        });
        if (patch.status !== 204) throw new Error(`PATCH at ${offset} answered ${patch.status}: ${await patch.text()}`);
        offset = Number(patch.headers.get('upload-offset'));
        if (offset !== to) throw new Error(`the upload is at ${offset} after sending up to ${to}`);
      }
    },
  };
}

/**
 * Inserts a ready video row without transcoding, for tests of rules that never touch the media files
 * (counts, permissions, listings). Returns its id.
 */
export async function insertReadyVideo(
  t: TestApp,
  userId: string,
  fields: { title?: string; visibility?: Video['visibility']; description?: string; tags?: string[]; publishedAt?: Date; channelId?: string } = {},
): Promise<string> {
  const channel =
    fields.channelId ??
    (await t.infra.db.selectFrom('channels').select('id').where('user_id', '=', userId).where('is_default', '=', true).executeTakeFirstOrThrow()).id;
  const row = await t.infra.db
    .insertInto('videos')
    .values({
      user_id: userId,
      channel_id: channel,
      title: fields.title ?? 'Inserted video',
      description: fields.description ?? '',
      visibility: fields.visibility ?? 'public',
      tags: fields.tags ?? [],
      status: 'ready',
      media_prefix: 'videos/00000000-0000-0000-0000-000000000000/none',
      duration_seconds: 60,
      width: 640,
      height: 360,
      published_at: fields.publishedAt ?? new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The chunked pipeline's task rows of a video, by name: what ran, how it ended, how often it was tried. */
export function taskStatesOf(t: TestApp, videoId: string) {
  return t.infra.db.selectFrom('transcode_tasks').select(['task', 'status', 'attempts']).where('video_id', '=', videoId).orderBy('task').execute();
}

/** Waits until the cheap tier of the video's first chunk is done (during an upload: encoded early). */
export function waitForFirstChunk(t: TestApp, videoId: string) {
  return waitFor(async () => (await taskStatesOf(t, videoId)).find((task) => task.task === 'video:0:low' && task.status === 'done'), 90_000, 'chunk 0');
}
