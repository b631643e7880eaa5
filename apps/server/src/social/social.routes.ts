import { Type } from 'typebox';
import {
  Comment,
  CommentPage,
  CommentQuery,
  CreateCommentBody,
  CursorQuery,
  EditCommentBody,
  ErrorBody,
  HeldCommentList,
  IdParams,
  RatingBody,
  RatingState,
  VideoPage,
} from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401, 403, 404);

export async function socialRoutes(app: App): Promise<void> {
  const { social, videos } = app.services;

  app.get(
    '/videos/:id/rating',
    {
      config: { auth: 'optional' },
      schema: { tags: ['social'], summary: 'Like/dislike counts and my rating', params: IdParams, response: { 200: RatingState, ...errors } },
    },
    async (request) => social.rating(request.params.id, request.viewer),
  );
  app.put(
    '/videos/:id/rating',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['social'],
        summary: 'Like, dislike, or remove my rating',
        params: IdParams,
        body: RatingBody,
        response: { 200: RatingState, ...errors },
      },
    },
    async (request) => social.rate(request.params.id, request.user, request.body.rating),
  );
  app.get(
    '/users/me/liked-videos',
    {
      config: { auth: 'required' },
      schema: { tags: ['social'], summary: 'Videos I liked', querystring: CursorQuery, response: { 200: VideoPage, ...errors } },
    },
    async (request) => videos.likedVideos(request.user, request.query.cursor, request.query.limit ?? 24),
  );

  app.get(
    '/videos/:id/comments',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['social'],
        summary: 'Top-level comments (top or newest first)',
        params: IdParams,
        querystring: CommentQuery,
        response: { 200: CommentPage, ...errors },
      },
    },
    async (request) => social.listComments(request.params.id, request.viewer, request.query),
  );
  app.post(
    '/videos/:id/comments',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['social'],
        summary: 'Comment, or reply with parentId',
        params: IdParams,
        body: CreateCommentBody,
        response: { 201: Comment, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await social.addComment(request.params.id, request.user, request.body)),
  );
  app.get(
    '/comments/:id/replies',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['social'],
        summary: 'Replies to a comment, oldest first',
        params: IdParams,
        querystring: CursorQuery,
        response: { 200: CommentPage, ...errors },
      },
    },
    async (request) => social.listReplies(request.params.id, request.viewer, request.query),
  );
  app.patch(
    '/comments/:id',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['social'],
        summary: 'Edit my comment',
        params: IdParams,
        body: EditCommentBody,
        response: { 200: Comment, ...errors },
      },
    },
    async (request) => social.editComment(request.params.id, request.user, request.body.body),
  );
  app.delete(
    '/comments/:id',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['social'],
        summary: 'Delete a comment (author, video owner or admin)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await social.deleteComment(request.params.id, request.user);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/studio/comments/held',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['social'],
        summary: 'Comments on my videos waiting for my approval, oldest first',
        response: { 200: HeldCommentList, ...errors },
      },
    },
    async (request) => social.heldComments(request.user),
  );
  app.post(
    '/comments/:id/approve',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['social'],
        summary: 'Approve a held comment on my video (reject one by deleting it)',
        params: IdParams,
        response: { 200: Comment, ...errors, 409: ErrorBody },
      },
    },
    async (request) => social.approveComment(request.params.id, request.user),
  );
  for (const [method, liked] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    app[method](
      '/comments/:id/like',
      {
        config: { auth: 'required' },
        schema: {
          tags: ['social'],
          summary: liked ? 'Like a comment' : 'Remove my like',
          params: IdParams,
          response: { 200: Comment, ...errors },
        },
      },
      async (request) => social.likeComment(request.params.id, request.user, liked),
    );
  }
}
