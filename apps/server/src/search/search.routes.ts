import { ErrorBody, SearchQuery, SearchResults, Suggestions, SuggestionsQuery } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { sendCacheable } from '../http/conditional.ts';

/** Results never depend on who asks (only listed videos), so browsers and CDNs may keep them briefly. */
const SHARED_BRIEFLY = 'public, max-age=10';

export async function searchRoutes(app: App): Promise<void> {
  const search = app.services.search;

  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search public videos (title, tags, description) or channels (name, handle); tolerates misspellings',
        description:
          'Full-text search ranked by relevance, with trigram matching for typos. Only ready, public videos that are not hidden by moderation are returned. ' +
          'The response `type` echoes the request `type`; page with `nextCursor`.',
        querystring: SearchQuery,
        response: { 200: SearchResults, 400: ErrorBody },
      },
    },
    async (request, reply) => sendCacheable(request, reply, await search.search(request.query), SHARED_BRIEFLY),
  );

  app.get(
    '/search/suggestions',
    {
      schema: {
        tags: ['search'],
        summary: 'Up to 8 video titles matching what has been typed so far (prefix first, then close matches)',
        querystring: SuggestionsQuery,
        response: { 200: Suggestions, 400: ErrorBody },
      },
    },
    async (request, reply) => sendCacheable(request, reply, await search.suggestions(request.query.q), SHARED_BRIEFLY),
  );
}
