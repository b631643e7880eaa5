import { Type } from 'typebox';
import { CursorQuery, ErrorBody, HistoryPage, HistorySettings, IdParams, Progress, ProgressBody, Quota } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { requireUser } from '../http/auth-context.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody };
const bearer = [{ bearer: [] }];

export async function historyRoutes(app: App): Promise<void> {
  const { history, videos } = app.services;

  app.get('/api/v1/videos/:id/progress', { schema: { tags: ['history'], summary: 'Where I stopped watching', security: bearer, params: IdParams, response: { 200: Progress, ...errors } } }, async (request) =>
    history.progress(await requireUser(request), request.params.id),
  );
  app.put(
    '/api/v1/videos/:id/progress',
    { schema: { tags: ['history'], summary: 'Save my position (adds to history)', security: bearer, params: IdParams, body: ProgressBody, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await history.saveProgress(await requireUser(request), request.params.id, request.body.positionSeconds);
      return reply.code(204).send(null);
    },
  );
  app.get('/api/v1/users/me/history', { schema: { tags: ['history'], summary: 'Videos I watched, latest first', security: bearer, querystring: CursorQuery, response: { 200: HistoryPage, ...errors } } }, async (request) =>
    history.list(await requireUser(request), request.query.cursor, request.query.limit ?? 24),
  );
  app.delete('/api/v1/users/me/history', { schema: { tags: ['history'], summary: 'Clear my history', security: bearer, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await history.clear(await requireUser(request));
    return reply.code(204).send(null);
  });
  app.delete(
    '/api/v1/users/me/history/:id',
    { schema: { tags: ['history'], summary: 'Remove one video from my history', security: bearer, params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await history.clear(await requireUser(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get('/api/v1/users/me/history/settings', { schema: { tags: ['history'], summary: 'Whether history is paused', security: bearer, response: { 200: HistorySettings, ...errors } } }, async (request) => ({
    paused: await history.isPaused(await requireUser(request)),
  }));
  app.put(
    '/api/v1/users/me/history/settings',
    { schema: { tags: ['history'], summary: 'Pause or resume history', security: bearer, body: HistorySettings, response: { 200: HistorySettings, ...errors } } },
    async (request) => {
      await history.setPaused(await requireUser(request), request.body.paused);
      return { paused: request.body.paused };
    },
  );
  app.get('/api/v1/users/me/quota', { schema: { tags: ['videos'], summary: 'Upload quota: bytes used and allowed', security: bearer, response: { 200: Quota, ...errors } } }, async (request) =>
    videos.quota(await requireUser(request)),
  );
}
