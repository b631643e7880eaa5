import { ErrorBody, IdParams, Playback, ViewResult } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { clientInfo } from '../http/auth-context.ts';
import { answerAnonymousFromMemory, sendPrepared } from '../http/conditional.ts';
import { playbackCacheControl } from './playback-cache-control.ts';
import { ViewCounter } from './views.service.ts';

export async function playbackRoutes(app: App): Promise<void> {
  const { videos, views } = app.services;

  app.get(
    '/videos/:id/playback',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['playback'],
        summary: 'Links to play a video: HLS, DASH, poster, storyboard (signed for unlisted and private videos)',
        params: IdParams,
        response: { 200: Playback, 404: ErrorBody, 409: ErrorBody },
      },
      // A warm anonymous request is answered from this process's copy before validation and the handler.
      onRequest: answerAnonymousFromMemory((id) => videos.localForAnonymous(id)?.playback),
    },
    async (request, reply) => {
      const viewer = request.viewer;
      const playback = await videos.preparedPlayback(request.params.id, viewer);
      return sendPrepared(request, reply, playback, playbackCacheControl(playback, viewer !== null));
    },
  );

  app.post(
    '/videos/:id/views',
    {
      config: { auth: 'optional' },
      schema: { tags: ['playback'], summary: 'Count a view (once per viewer per window)', params: IdParams, response: { 200: ViewResult, 404: ErrorBody } },
    },
    async (request) => {
      const viewer = request.viewer;
      const video = await videos.prepared(request.params.id, viewer);
      const client = clientInfo(request);
      return { counted: video.status === 'ready' && (await views.record(video.id, ViewCounter.viewerKey(viewer, client.ip))) };
    },
  );
}
