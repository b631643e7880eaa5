import { Type } from 'typebox';
import { CreatedVideo, CreateVideoBody, CursorQuery, ErrorBody, IdParams, UpdateVideoBody, Video, VideoPage } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { optionalUser, requireUser } from '../http/auth-context.ts';
import { sendCacheable } from '../http/conditional.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const bearer = [{ bearer: [] }];

export async function videoRoutes(app: App): Promise<void> {
  const videos = app.services.videos;

  app.post(
    '/api/v1/videos',
    { schema: { tags: ['videos'], summary: 'Create a video, then upload its file with tus', security: bearer, body: CreateVideoBody, response: { 201: CreatedVideo, ...errors } } },
    async (request, reply) => {
      const origin = app.infra.config.PUBLIC_URL ? app.infra.config.publicUrl : `${request.protocol}://${request.host}`;
      return reply.code(201).send(await videos.create(await requireUser(request), request.body, origin));
    },
  );

  app.get(
    '/api/v1/videos',
    { schema: { tags: ['videos'], summary: 'Public, ready videos, newest first', querystring: CursorQuery, response: { 200: VideoPage, 400: ErrorBody } } },
    async (request) => videos.listPublic(request.query.cursor, request.query.limit ?? 24),
  );

  app.get(
    '/api/v1/videos/:id',
    { schema: { tags: ['videos'], summary: 'One video, with processing progress for its owner', params: IdParams, response: { 200: Video, ...errors } } },
    async (request, reply) => {
      const viewer = await optionalUser(request);
      const video = await videos.get(request.params.id, viewer);
      const shared = !viewer && video.visibility === 'public' && video.status === 'ready';
      return sendCacheable(request, reply, video, shared ? 'public, max-age=10' : 'private, no-cache');
    },
  );

  app.patch(
    '/api/v1/videos/:id',
    { schema: { tags: ['videos'], summary: 'Edit title, description, visibility or tags', security: bearer, params: IdParams, body: UpdateVideoBody, response: { 200: Video, ...errors } } },
    async (request) => videos.update(request.params.id, await requireUser(request), request.body),
  );

  app.delete(
    '/api/v1/videos/:id',
    { schema: { tags: ['videos'], summary: 'Delete a video and every file it has', security: bearer, params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await videos.delete(request.params.id, await requireUser(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/videos/:id/retry',
    { schema: { tags: ['videos'], summary: 'Process a failed video again', security: bearer, params: IdParams, response: { 200: Video, ...errors } } },
    async (request) => videos.retry(request.params.id, await requireUser(request)),
  );

  for (const url of ['/api/v1/users/me/videos', '/api/v1/studio/videos']) {
    app.get(
      url,
      { schema: { tags: ['videos'], summary: 'My videos in every status', security: bearer, querystring: CursorQuery, response: { 200: VideoPage, ...errors }, hide: url.includes('studio') } },
      async (request) => videos.listMine(await requireUser(request), request.query.cursor, request.query.limit ?? 24),
    );
  }
}
