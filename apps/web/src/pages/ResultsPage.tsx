import { useState } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import type { ChannelResult, SearchResults, Video } from '@tube/shared';
import { ApiError, describeError } from '../api/errors.ts';
import { Icon } from '../components/Icon.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { VideoRow } from '../components/VideoCard.tsx';
import { Avatar, EmptyState, ErrorMessage, PageLoading } from '../components/ui.tsx';
import {
  countActiveFilters,
  DURATION_OPTIONS,
  readSearchFilters,
  searchParamsFor,
  SORT_OPTIONS,
  TYPE_OPTIONS,
  UPLOADED_OPTIONS,
  type SearchFilters,
} from '../lib/search-filters.ts';
import { VIDEO_CATEGORIES } from '@tube/shared';
import { CATEGORY_LABELS, LANGUAGE_OPTIONS } from '../lib/creator-format.ts';
import '../features/studio/creators.css';
import { formatSubscriberCount } from '../lib/subscription.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { searchQueries } from '../features/search/api.ts';
import '../features/search/search.css';
import './channel.css';

export function ResultsPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const query = (searchParams.get('q') ?? '').trim();
  const filters = readSearchFilters(searchParams);
  const [filtersOpen, setFiltersOpen] = useState(countActiveFilters(filters) > 0);
  useDocumentTitle(query ? `${query} - Search` : 'Search');
  const results = useInfiniteQuery({
    ...searchQueries.results(query, filters),
    enabled: query.length > 0,
  });

  if (!query) {
    return (
      <div className="page">
        <EmptyState icon="search" title="Search Tube">
          <p className="muted">Type something in the search box to find videos.</p>
        </EmptyState>
      </div>
    );
  }
  if (results.isError && results.error instanceof ApiError && results.error.status === 404) {
    return (
      <div className="page" data-testid="search-coming">
        <EmptyState icon="search" title="Search is coming soon">
          <p className="muted">This Tube server can't search yet. In the meantime, browse the latest videos.</p>
          <Link to="/" className="button button-secondary">
            Go to Home
          </Link>
        </EmptyState>
      </div>
    );
  }

  const applyFilters = (next: SearchFilters) => setSearchParams(searchParamsFor(query, readSearchFilters(searchParamsFor(query, next))));
  const pages: SearchResults[] = results.data?.pages ?? [];
  const videos: Video[] = pages.flatMap((page) => (page.type === 'videos' ? page.items : []));
  const channels: ChannelResult[] = pages.flatMap((page) => (page.type === 'channels' ? page.items : []));
  const activeFilterCount = countActiveFilters(filters);

  return (
    <div className="page page-results">
      <h1 className="visually-hidden">Results for “{query}”</h1>
      <div className="results-toolbar">
        <button
          type="button"
          className="button button-text"
          aria-expanded={filtersOpen}
          aria-controls="search-filters"
          onClick={() => setFiltersOpen((open) => !open)}
        >
          <Icon name="sort" /> Filters{activeFilterCount > 0 ? ` (${activeFilterCount})` : ''}
        </button>
        {activeFilterCount > 0 ? (
          <button type="button" className="button button-text" onClick={() => applyFilters({})}>
            Clear filters
          </button>
        ) : null}
      </div>
      {filtersOpen ? (
        <div id="search-filters" className="search-filters" data-testid="search-filters">
          <FilterGroup
            title="Type"
            options={TYPE_OPTIONS}
            selected={filters.type ?? 'videos'}
            onSelect={(type) => applyFilters({ ...filters, type: type === 'videos' ? undefined : type })}
          />
          <FilterGroup
            title="Upload date"
            options={UPLOADED_OPTIONS}
            selected={filters.uploaded}
            disabled={filters.type === 'channels'}
            onSelect={(uploaded) => applyFilters({ ...filters, uploaded: filters.uploaded === uploaded ? undefined : uploaded })}
          />
          <FilterGroup
            title="Duration"
            options={DURATION_OPTIONS}
            selected={filters.duration}
            disabled={filters.type === 'channels'}
            onSelect={(duration) => applyFilters({ ...filters, duration: filters.duration === duration ? undefined : duration })}
          />
          <div className="search-filter-selects">
            <label>
              Category{' '}
              <select
                value={filters.category ?? ''}
                disabled={filters.type === 'channels'}
                onChange={(event) => applyFilters({ ...filters, category: VIDEO_CATEGORIES.find((value) => value === event.target.value) })}
              >
                <option value="">Any</option>
                {VIDEO_CATEGORIES.map((value) => (
                  <option key={value} value={value}>
                    {CATEGORY_LABELS[value]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Language{' '}
              <select
                value={filters.language ?? ''}
                disabled={filters.type === 'channels'}
                onChange={(event) => applyFilters({ ...filters, language: event.target.value || undefined })}
              >
                <option value="">Any</option>
                {LANGUAGE_OPTIONS.map((option) => (
                  <option key={option.tag} value={option.tag}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <FilterGroup
            title="Sort by"
            options={SORT_OPTIONS}
            selected={filters.sort ?? 'relevance'}
            onSelect={(sort) => applyFilters({ ...filters, sort: sort === 'relevance' ? undefined : sort })}
          />
        </div>
      ) : null}
      {results.isPending ? <PageLoading /> : null}
      {results.isError ? <ErrorMessage message={describeError(results.error)} onRetry={() => void results.refetch()} /> : null}
      {results.isSuccess && videos.length === 0 && channels.length === 0 ? (
        <EmptyState icon="search" title="No results found">
          <p className="muted">{activeFilterCount > 0 ? 'Try removing filters or using different keywords.' : 'Try different keywords.'}</p>
        </EmptyState>
      ) : null}
      {videos.length > 0 ? (
        <div className="video-list" data-testid="search-results">
          {videos.map((video) => (
            <VideoRow key={video.id} video={video} />
          ))}
        </div>
      ) : null}
      {channels.length > 0 ? (
        <ul className="channel-results" data-testid="channel-results">
          {channels.map((channel) => (
            <li key={channel.id}>
              <ChannelResultRow channel={channel} />
            </li>
          ))}
        </ul>
      ) : null}
      <LoadMore hasMore={results.hasNextPage} loading={results.isFetchingNextPage} onLoadMore={() => void results.fetchNextPage()} />
    </div>
  );
}

function FilterGroup<T extends string>({
  title,
  options,
  selected,
  disabled = false,
  onSelect,
}: {
  title: string;
  options: ReadonlyArray<{ value: T; label: string }>;
  selected: T | undefined;
  disabled?: boolean;
  onSelect(value: T): void;
}) {
  return (
    <fieldset className="filter-group" disabled={disabled}>
      <legend>{title}</legend>
      <ul>
        {options.map((option) => (
          <li key={option.value}>
            <button type="button" className="filter-option" aria-pressed={selected === option.value} onClick={() => onSelect(option.value)}>
              {option.label}
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function ChannelResultRow({ channel }: { channel: ChannelResult }) {
  const path = `/channel/${encodeURIComponent(channel.handle)}`;
  return (
    <article className="channel-result" data-testid="channel-result">
      <Link to={path} className="channel-result-avatar" tabIndex={-1} aria-hidden="true">
        {channel.avatarUrl ? (
          <img className="channel-avatar" src={channel.avatarUrl} alt="" width={96} height={96} />
        ) : (
          <Avatar name={channel.name} size={96} />
        )}
      </Link>
      <div>
        <h3 className="video-title">
          <Link to={path}>{channel.name}</Link>
        </h3>
        <p className="muted">
          @{channel.handle} · {formatSubscriberCount(channel.subscriberCount)} · {channel.videoCount === 1 ? '1 video' : `${channel.videoCount} videos`}
        </p>
        {channel.description ? <p className="video-row-description">{channel.description.slice(0, 200)}</p> : null}
      </div>
    </article>
  );
}
