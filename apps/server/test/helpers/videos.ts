import type { AddressInfo } from 'node:net';
import type { Video } from '@tube/shared';
import { bearer, type TestApp } from './app.ts';
import { tusUpload, waitFor } from './media.ts';

export function baseUrl(t: TestApp): string {
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

/** Creates a video, uploads `file` with tus and waits until processing ends (ready or failed). */
export async function uploadVideo(t: TestApp, token: string, file: string, body: Record<string, unknown> = { title: 'A video' }): Promise<Video> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: body })).json<{ id: string }>();
  await tusUpload(file, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token, videoId: created.id });
  return waitFor(
    async () => {
      const video = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(token) })).json<Video>();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    },
    90_000,
    `video ${created.id} to finish processing`,
  );
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
