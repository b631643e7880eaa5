import { Type } from 'typebox';
import { DownloadStatus, IdParams } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { notFound } from '../infra/http/errors.ts';
import { sendStoredObject } from '../playback/media.routes.ts';
import { contentDisposition } from './download-name.ts';
import type { DownloadState } from './download.service.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const VERSION = /^[A-Za-z0-9_-]{1,40}$/;
/** Loose on purpose: a malformed link is a 404 like any missing media file, checked below. */
const DownloadLinkParams = Type.Object({ token: Type.String(), videoId: Type.String(), version: Type.String(), name: Type.String() });
/** How soon a client should ask again while the file is being made. */
const RETRY_AFTER_SECONDS = 2;

function toBody(state: DownloadState): DownloadStatus {
  return state.status === 'ready'
    ? { status: 'ready', progress: 1, url: state.url, fileName: state.fileName, bytes: state.bytes, expiresAt: state.expiresAt.toISOString() }
    : { status: 'preparing', progress: state.progress, url: null, fileName: null, bytes: null, expiresAt: null };
}

export async function downloadRoutes(app: App): Promise<void> {
  const downloads = app.services.downloads;

  app.get(
    '/api/v1/videos/:id/download',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['videos'],
        summary:
          'Download the video as one MP4 (the best quality, H.264/AAC): 202 while it is being made, then 302 to a signed link (or 200 with the link for Accept: application/json)',
        params: IdParams,
        response: {
          200: DownloadStatus,
          202: DownloadStatus,
          302: Type.Null({ description: 'Location: the signed link, served with Content-Disposition: attachment' }),
          ...errorResponses(401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const state = await downloads.request(request.params.id, request.viewer);
      reply.header('cache-control', 'no-store').header('vary', 'accept, authorization');
      if (state.status === 'preparing') return reply.code(202).header('retry-after', String(RETRY_AFTER_SECONDS)).send(toBody(state));
      if ((request.headers.accept ?? '').includes('application/json')) return reply.code(200).send(toBody(state));
      return reply.redirect(state.url, 302);
    },
  );

  /**
   * The file behind a download link: `/media/t/<token>/videos/<id>/<version>/download/<file name>`. The token is
   * signed for `<prefix>/download` (never valid for the media files, nor theirs for this); the last segment is only
   * the name the browser saves the file as, sanitised again here.
   */
  app.get('/media/t/:token/videos/:videoId/:version/download/:name', { schema: { hide: true, params: DownloadLinkParams } }, async (request, reply) => {
    const { token, videoId, version, name } = request.params;
    if (!UUID.test(videoId) || !VERSION.test(version)) throw notFound('No such media file');
    const fileKey = await downloads.fileForLink(videoId, version, token);
    let fileName = name;
    try {
      fileName = decodeURIComponent(name);
    } catch {
      // Already decoded by the router, or not an encoding at all: used as it is (and sanitised below).
    }
    reply.header('cache-control', 'private, max-age=3600');
    reply.header('content-type', 'video/mp4');
    return sendStoredObject(app, request, reply, fileKey, { contentDisposition: contentDisposition(fileName) });
  });
}
