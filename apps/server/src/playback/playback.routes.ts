import { ErrorBody, IdParams, Playback, ViewResult } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { clientInfo, optionalUser } from '../http/auth-context.ts';
import { sendCacheable } from '../http/conditional.ts';
import { ViewCounter } from './views.service.ts';

export async function playbackRoutes(app: App): Promise<void> {
  const { videos, views } = app.services;

  app.get(
    '/api/v1/videos/:id/playback',
    {
      schema: {
        tags: ['playback'],
        summary: 'Links to play a video: HLS, DASH, poster, storyboard (signed for unlisted and private videos)',
        params: IdParams,
        response: { 200: Playback, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const viewer = await optionalUser(request);
      const playback = await videos.playback(request.params.id, viewer);
      // Signed links are per-viewer-class and expire, so only public links may sit in shared caches.
      return sendCacheable(request, reply, playback, playback.expiresAt === null && !viewer ? 'public, max-age=30' : 'private, max-age=30');
    },
  );

  app.post(
    '/api/v1/videos/:id/views',
    { schema: { tags: ['playback'], summary: 'Count a view (once per viewer per window)', params: IdParams, response: { 200: ViewResult, 404: ErrorBody } } },
    async (request) => {
      const viewer = await optionalUser(request);
      const video = await videos.get(request.params.id, viewer);
      const client = clientInfo(request);
      return { counted: video.status === 'ready' && (await views.record(video.id, ViewCounter.viewerKey(viewer, client.ip, client.userAgent))) };
    },
  );
}
