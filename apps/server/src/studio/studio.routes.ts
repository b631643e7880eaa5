import { StudioBulkBody, StudioBulkResult, StudioVideoPage, StudioVideoQuery } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401, 404);

export async function studioRoutes(app: App): Promise<void> {
  const { studio } = app.services;

  app.get(
    '/studio/videos',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['studio'],
        summary: 'My videos in every status: search, filters, sort, and stats at a glance',
        querystring: StudioVideoQuery,
        response: { 200: StudioVideoPage, ...errors },
      },
    },
    async (request) => studio.list(request.user, request.query),
  );

  app.post(
    '/studio/videos/bulk',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['studio'],
        summary: 'Set visibility, delete, or add to a playlist, for many videos at once',
        body: StudioBulkBody,
        response: { 200: StudioBulkResult, ...errors },
      },
    },
    async (request) => studio.bulk(request.user, request.body),
  );
}
