import { ErrorBody, HomeFeed, HomeQuery, IdParams, RelatedQuery, RelatedVideos, TrendingPage, TrendingQuery } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { sendCacheable } from '../http/conditional.ts';

/** The same for every viewer (listed videos only), so browsers and CDNs may keep them briefly. */
const SHARED_BRIEFLY = 'public, max-age=10';

export async function discoveryRoutes(app: App): Promise<void> {
  const discovery = app.services.discovery;

  app.get(
    '/feed/trending',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Trending videos: views and likes, decayed by age, over the last 14 days',
        description: 'Score = (views + 3 × likes + 1) / (hours since publishing + 2)^1.5, recomputed every 5 minutes.',
        querystring: TrendingQuery,
        response: { 200: TrendingPage, 400: ErrorBody },
      },
    },
    async (request, reply) => sendCacheable(request, reply, await discovery.trending(request.query.cursor, request.query.limit ?? 24), SHARED_BRIEFLY),
  );

  app.get(
    '/feed/home',
    {
      schema: {
        tags: ['discovery'],
        summary: 'The home page: trending and newest public videos',
        querystring: HomeQuery,
        response: { 200: HomeFeed, 400: ErrorBody },
      },
    },
    async (request, reply) => sendCacheable(request, reply, await discovery.home(request.query.limit ?? 12), SHARED_BRIEFLY),
  );

  app.get(
    '/videos/:id/related',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['discovery'],
        summary: 'Videos related to one: shared title words and tags, same channel, then trending',
        description: 'Only public videos are suggested. 404 when the viewer may not see the video itself.',
        params: IdParams,
        querystring: RelatedQuery,
        response: { 200: RelatedVideos, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const viewer = request.viewer;
      const related = await discovery.related(request.params.id, viewer, request.query.limit ?? 12);
      return sendCacheable(request, reply, related, viewer ? 'private, no-cache' : SHARED_BRIEFLY);
    },
  );
}
