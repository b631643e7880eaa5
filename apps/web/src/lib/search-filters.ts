import type { SearchDuration, SearchSort, SearchType, SearchUploaded, VideoCategory } from '@tube/shared';
import { VIDEO_CATEGORIES } from '@tube/shared';
import { LANGUAGE_OPTIONS } from './creator-format.ts';

/** Search filters as the URL of the results page carries them; absent = no filter. */
export interface SearchFilters {
  type?: SearchType | undefined;
  duration?: SearchDuration | undefined;
  uploaded?: SearchUploaded | undefined;
  sort?: SearchSort | undefined;
  category?: VideoCategory | undefined;
  /** A BCP 47 language tag (`pt` also finds `pt-BR`). */
  language?: string | undefined;
}

interface FilterOption<T extends string> {
  value: T;
  label: string;
}

export const TYPE_OPTIONS: ReadonlyArray<FilterOption<SearchType>> = [
  { value: 'videos', label: 'Videos' },
  { value: 'channels', label: 'Channels' },
];
export const UPLOADED_OPTIONS: ReadonlyArray<FilterOption<SearchUploaded>> = [
  { value: 'hour', label: 'Last hour' },
  { value: 'today', label: 'Today' },
  { value: 'week', label: 'This week' },
  { value: 'month', label: 'This month' },
  { value: 'year', label: 'This year' },
];
export const DURATION_OPTIONS: ReadonlyArray<FilterOption<SearchDuration>> = [
  { value: 'short', label: 'Under 4 minutes' },
  { value: 'medium', label: '4–20 minutes' },
  { value: 'long', label: 'Over 20 minutes' },
];
export const SORT_OPTIONS: ReadonlyArray<FilterOption<SearchSort>> = [
  { value: 'relevance', label: 'Relevance' },
  { value: 'date', label: 'Upload date' },
  { value: 'views', label: 'View count' },
];

function pick<T extends string>(options: ReadonlyArray<FilterOption<T>>, value: string | null): T | undefined {
  return options.find((option) => option.value === value)?.value;
}

/**
 * Filters from the results page's URL. Unknown values are dropped rather than sent (the server would
 * refuse them), and defaults (videos, relevance) are left out so equal searches share one cache entry.
 */
export function readSearchFilters(params: URLSearchParams): SearchFilters {
  const filters: SearchFilters = {};
  const type = pick(TYPE_OPTIONS, params.get('type'));
  if (type === 'channels') filters.type = type;
  const sort = pick(SORT_OPTIONS, params.get('sort'));
  if (sort && sort !== 'relevance') filters.sort = sort;
  // Length and upload date only narrow video searches.
  if (filters.type !== 'channels') {
    const duration = pick(DURATION_OPTIONS, params.get('duration'));
    if (duration) filters.duration = duration;
    const uploaded = pick(UPLOADED_OPTIONS, params.get('uploaded'));
    if (uploaded) filters.uploaded = uploaded;
    const category = VIDEO_CATEGORIES.find((value) => value === params.get('category'));
    if (category) filters.category = category;
    const language = LANGUAGE_OPTIONS.find((option) => option.tag === params.get('language'));
    if (language) filters.language = language.tag;
  }
  return filters;
}

/** The results page's query string for a search with these filters. */
export function searchParamsFor(query: string, filters: SearchFilters): URLSearchParams {
  const params = new URLSearchParams({ q: query });
  for (const key of ['type', 'duration', 'uploaded', 'sort', 'category', 'language'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

export function countActiveFilters(filters: SearchFilters): number {
  return [filters.type, filters.duration, filters.uploaded, filters.sort, filters.category, filters.language].filter(Boolean).length;
}
