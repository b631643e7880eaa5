import { Type } from 'typebox';
import { Comment, CommentPage, CommentQuery, CreateCommentBody, CursorQuery, EditCommentBody, ErrorBody, IdParams, RatingBody, RatingState, VideoPage } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { optionalUser, requireUser } from '../http/auth-context.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const bearer = [{ bearer: [] }];

export async function socialRoutes(app: App): Promise<void> {
  const { social, videos } = app.services;

  app.get('/api/v1/videos/:id/rating', { schema: { tags: ['social'], summary: 'Like/dislike counts and my rating', params: IdParams, response: { 200: RatingState, ...errors } } }, async (request) =>
    social.rating(request.params.id, await optionalUser(request)),
  );
  app.put(
    '/api/v1/videos/:id/rating',
    { schema: { tags: ['social'], summary: 'Like, dislike, or remove my rating', security: bearer, params: IdParams, body: RatingBody, response: { 200: RatingState, ...errors } } },
    async (request) => social.rate(request.params.id, await requireUser(request), request.body.rating),
  );
  app.get(
    '/api/v1/users/me/liked-videos',
    { schema: { tags: ['social'], summary: 'Videos I liked', security: bearer, querystring: CursorQuery, response: { 200: VideoPage, ...errors } } },
    async (request) => videos.likedVideos(await requireUser(request), request.query.cursor, request.query.limit ?? 24),
  );

  app.get(
    '/api/v1/videos/:id/comments',
    { schema: { tags: ['social'], summary: 'Top-level comments (top or newest first)', params: IdParams, querystring: CommentQuery, response: { 200: CommentPage, ...errors } } },
    async (request) => social.listComments(request.params.id, await optionalUser(request), request.query),
  );
  app.post(
    '/api/v1/videos/:id/comments',
    { schema: { tags: ['social'], summary: 'Comment, or reply with parentId', security: bearer, params: IdParams, body: CreateCommentBody, response: { 201: Comment, ...errors } } },
    async (request, reply) => reply.code(201).send(await social.addComment(request.params.id, await requireUser(request), request.body)),
  );
  app.get(
    '/api/v1/comments/:id/replies',
    { schema: { tags: ['social'], summary: 'Replies to a comment, oldest first', params: IdParams, querystring: CursorQuery, response: { 200: CommentPage, ...errors } } },
    async (request) => social.listReplies(request.params.id, await optionalUser(request), request.query),
  );
  app.patch(
    '/api/v1/comments/:id',
    { schema: { tags: ['social'], summary: 'Edit my comment', security: bearer, params: IdParams, body: EditCommentBody, response: { 200: Comment, ...errors } } },
    async (request) => social.editComment(request.params.id, await requireUser(request), request.body.body),
  );
  app.delete(
    '/api/v1/comments/:id',
    { schema: { tags: ['social'], summary: 'Delete a comment (author, video owner or admin)', security: bearer, params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await social.deleteComment(request.params.id, await requireUser(request));
      return reply.code(204).send(null);
    },
  );
  for (const [method, liked] of [['put', true], ['delete', false]] as const) {
    app[method](
      '/api/v1/comments/:id/like',
      { schema: { tags: ['social'], summary: liked ? 'Like a comment' : 'Remove my like', security: bearer, params: IdParams, response: { 200: Comment, ...errors } } },
      async (request) => social.likeComment(request.params.id, await requireUser(request), liked),
    );
  }
}
