import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { SearchFilters } from '../../lib/search-filters.ts';
import type { SearchResults, Suggestions } from '@tube/shared';
import { requestJson, withQuery } from '../../api/client.ts';

export const searchApi = {
  /** Servers without search answer 404, which the results page explains. */
  search: (query: string, filters: SearchFilters, cursor: string | null) =>
    requestJson<SearchResults>(withQuery('/api/v1/search', { q: query, ...filters, cursor, limit: 20 })),
  searchSuggestions: (typed: string, signal?: AbortSignal) =>
    requestJson<Suggestions>(withQuery('/api/v1/search/suggestions', { q: typed }), signal ? { signal } : undefined),
};

export const searchKeys = {
  search: (query: string, filters: SearchFilters) => ['search', query, filters] as const,
  suggestions: (typed: string) => ['suggestions', typed] as const,
};

export const searchQueries = {
  results: (query: string, filters: SearchFilters) =>
    infiniteQueryOptions({
      queryKey: searchKeys.search(query, filters),
      queryFn: ({ pageParam }) => searchApi.search(query, filters, pageParam),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  suggestions: (typed: string) =>
    queryOptions({ queryKey: searchKeys.suggestions(typed), queryFn: ({ signal }) => searchApi.searchSuggestions(typed, signal) }),
};
