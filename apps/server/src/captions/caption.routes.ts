import { Type } from 'typebox';
import { CaptionList, CaptionParams, CaptionUploadQuery, ErrorBody, IdParams } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { badRequest, notFound } from '../infra/http/errors.ts';
import { chaptersVtt, parseChapters } from '@tube/shared';

const CAPTION_CONTENT_TYPES = ['text/vtt', 'application/x-subrip', 'text/srt', 'application/octet-stream', 'text/plain'];
const errors = errorResponses(400, 401, 404, 409, 413);

export async function captionRoutes(app: App): Promise<void> {
  const captions = app.services.captions;
  const limit = app.infra.config.CAPTION_MAX_BYTES;

  // The file is the raw request body. The parser takes up to twice the limit so that the service can answer
  // a slightly too large file with a sentence naming the limit.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(CAPTION_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: limit * 2 }, (_request, body, done) => done(null, body));

  app.get(
    '/videos/:id/captions',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['captions'],
        summary: 'Caption tracks of a video, with links to their WebVTT',
        params: IdParams,
        response: { 200: CaptionList, ...errors },
      },
    },
    async (request, reply) => {
      const viewer = request.viewer;
      reply.header('cache-control', 'private, no-cache');
      return { items: await captions.list(request.params.id, viewer) };
    },
  );

  app.get(
    '/videos/:id/chapters.vtt',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['captions'],
        summary: 'The chapters of the description (YouTube rules: from 0:00, at least 3, ascending, 10 s each) as a WebVTT chapters track',
        params: IdParams,
        response: { 200: Type.String({ description: 'text/vtt' }), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const video = await app.services.videos.get(request.params.id, request.viewer);
      const chapters = parseChapters(video.description, video.durationSeconds);
      if (chapters.length === 0 || video.durationSeconds === null) throw notFound('This video has no chapters', 'no_chapters');
      return reply
        .header('content-type', 'text/vtt; charset=utf-8')
        .header('cache-control', video.visibility === 'public' ? 'public, max-age=60' : 'private, no-cache')
        .header('access-control-allow-origin', '*')
        .send(chaptersVtt(chapters, video.durationSeconds));
    },
  );

  app.put(
    '/videos/:id/captions/:language',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['captions'],
        summary: 'Add or replace the captions in one language: the body is a WebVTT or SRT file (converted to clean WebVTT)',
        params: CaptionParams,
        querystring: CaptionUploadQuery,
        response: { 200: CaptionList, ...errors },
      },
    },
    async (request) => {
      const user = request.user;
      if (!Buffer.isBuffer(request.body))
        throw badRequest('Send the caption file as the request body (Content-Type: text/vtt or application/x-subrip)', 'invalid_captions');
      return { items: await captions.put(request.params.id, user, request.params.language, request.query.label, request.body) };
    },
  );

  app.delete(
    '/videos/:id/captions/:language',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['captions'],
        summary: 'Remove the captions in one language',
        params: CaptionParams,
        response: { 200: CaptionList, ...errors },
      },
    },
    async (request) => ({ items: await captions.delete(request.params.id, request.user, request.params.language) }),
  );
}
