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
  return waitFor(async () => {
    const video = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(token) })).json<Video>();
    return video.status === 'ready' || video.status === 'failed' ? video : undefined;
  }, 90_000, `video ${created.id} to finish processing`);
}
