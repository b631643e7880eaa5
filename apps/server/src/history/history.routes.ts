import { Type } from 'typebox';
import { CursorQuery, HistoryPage, HistorySettings, IdParams, Progress, ProgressBody, Quota } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401, 404);

export async function historyRoutes(app: App): Promise<void> {
  const { history, videos } = app.services;

  app.get(
    '/videos/:id/progress',
    {
      config: { auth: 'required' },
      schema: { tags: ['history'], summary: 'Where I stopped watching', params: IdParams, response: { 200: Progress, ...errors } },
    },
    async (request) => history.progress(request.user, request.params.id),
  );
  app.put(
    '/videos/:id/progress',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['history'],
        summary: 'Save my position (adds to history)',
        params: IdParams,
        body: ProgressBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await history.saveProgress(request.user, request.params.id, request.body.positionSeconds);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/users/me/history',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['history'],
        summary: 'Videos I watched, latest first',
        querystring: CursorQuery,
        response: { 200: HistoryPage, ...errors },
      },
    },
    async (request) => history.list(request.user, request.query.cursor, request.query.limit ?? 24),
  );
  app.delete(
    '/users/me/history',
    { config: { auth: 'required' }, schema: { tags: ['history'], summary: 'Clear my history', response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await history.clear(request.user);
      return reply.code(204).send(null);
    },
  );
  app.delete(
    '/users/me/history/:id',
    {
      config: { auth: 'required' },
      schema: { tags: ['history'], summary: 'Remove one video from my history', params: IdParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await history.clear(request.user, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/users/me/history/settings',
    { config: { auth: 'required' }, schema: { tags: ['history'], summary: 'Whether history is paused', response: { 200: HistorySettings, ...errors } } },
    async (request) => ({
      paused: await history.isPaused(request.user),
    }),
  );
  app.put(
    '/users/me/history/settings',
    {
      config: { auth: 'required' },
      schema: { tags: ['history'], summary: 'Pause or resume history', body: HistorySettings, response: { 200: HistorySettings, ...errors } },
    },
    async (request) => {
      await history.setPaused(request.user, request.body.paused);
      return { paused: request.body.paused };
    },
  );
  app.get(
    '/users/me/quota',
    { config: { auth: 'required' }, schema: { tags: ['videos'], summary: 'Upload quota: bytes used and allowed', response: { 200: Quota, ...errors } } },
    async (request) => videos.quota(request.user),
  );
}
