import { Type } from 'typebox';
import { CreatedVideo, CreateVideoBody, CursorQuery, ErrorBody, IdParams, MoveVideoBody, PublishBody, UpdateVideoBody, Video, VideoPage } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { answerAnonymousFromMemory, sendPrepared } from '../http/conditional.ts';
import { videoCacheControl } from './video-cache.ts';

const errors = errorResponses(400, 401, 404, 409);

export async function videoRoutes(app: App): Promise<void> {
  const videos = app.services.videos;

  app.post(
    '/videos',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Create a video, then upload its file with tus',
        body: CreateVideoBody,
        response: { 201: CreatedVideo, ...errors },
      },
    },
    async (request, reply) => {
      const origin = app.infra.config.PUBLIC_URL ? app.infra.config.publicUrl : `${request.protocol}://${request.host}`;
      return reply.code(201).send(await videos.create(request.user, request.body, origin));
    },
  );

  app.get(
    '/videos',
    { schema: { tags: ['videos'], summary: 'Public, ready videos, newest first', querystring: CursorQuery, response: { 200: VideoPage, 400: ErrorBody } } },
    async (request) => videos.listPublic(request.query.cursor, request.query.limit ?? 24),
  );

  app.get(
    '/videos/:id',
    {
      config: { auth: 'optional' },
      schema: { tags: ['videos'], summary: 'One video, with processing progress for its owner', params: IdParams, response: { 200: Video, ...errors } },
      // A warm anonymous request is answered from this process's copy before validation and the handler.
      onRequest: answerAnonymousFromMemory((id) => videos.localForAnonymous(id)?.video),
    },
    async (request, reply) => {
      const viewer = request.viewer;
      const video = await videos.prepared(request.params.id, viewer);
      return sendPrepared(request, reply, video.video, videoCacheControl(video, viewer !== null));
    },
  );

  app.patch(
    '/videos/:id',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Edit title, description, visibility or tags',
        params: IdParams,
        body: UpdateVideoBody,
        response: { 200: Video, ...errors },
      },
    },
    async (request) => videos.update(request.params.id, request.user, request.body),
  );

  app.put(
    '/videos/:id/channel',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Move a video to another of its owner’s channels',
        params: IdParams,
        body: MoveVideoBody,
        response: { 200: Video, ...errors },
      },
    },
    async (request) => videos.moveToChannel(request.params.id, request.user, request.body.channelId),
  );

  app.delete(
    '/videos/:id',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Delete a video and every file it has',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await videos.delete(request.params.id, request.user);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/videos/:id/retry',
    {
      config: { auth: 'required' },
      schema: { tags: ['videos'], summary: 'Process a failed video again', params: IdParams, response: { 200: Video, ...errors } },
    },
    async (request) => videos.retry(request.params.id, request.user),
  );

  app.post(
    '/videos/:id/publish',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Publish a draft or scheduled video now',
        params: IdParams,
        body: Type.Optional(PublishBody),
        response: { 200: Video, ...errors },
      },
    },
    async (request) => videos.publish(request.params.id, request.user, request.body ?? {}),
  );

  // The studio's list (filters, sort, stats) lives in studio/studio.routes.ts.
  for (const url of ['/users/me/videos']) {
    app.get(
      url,
      {
        config: { auth: 'required' },
        schema: {
          tags: ['videos'],
          summary: 'My videos in every status',
          querystring: CursorQuery,
          response: { 200: VideoPage, ...errors },
          hide: url.includes('studio'),
        },
      },
      async (request) => videos.listMine(request.user, request.query.cursor, request.query.limit ?? 24),
    );
  }
}
