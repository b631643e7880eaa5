import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { VideoRow } from '../components/VideoCard.tsx';
import { EmptyState, ErrorMessage, PageLoading } from '../components/ui.tsx';
import { useDocumentTitle } from './use-document-title.ts';

export function ResultsPage() {
  const [searchParams] = useSearchParams();
  const query = (searchParams.get('q') ?? '').trim();
  useDocumentTitle(query ? `${query} - Search` : 'Search');
  const results = useInfiniteQuery({
    queryKey: ['videos', 'search', query],
    queryFn: ({ pageParam }) => api.searchVideos(query, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
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
  if (results.isPending) return <PageLoading />;
  if (results.isError) {
    if (results.error instanceof ApiError && results.error.status === 404) {
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
    return <ErrorMessage message={describeError(results.error)} onRetry={() => void results.refetch()} />;
  }

  const videos = results.data.pages.flatMap((page) => page.items);
  return (
    <div className="page page-results">
      <h1 className="visually-hidden">Results for “{query}”</h1>
      {videos.length === 0 ? (
        <EmptyState icon="search" title="No results found">
          <p className="muted">Try different keywords.</p>
        </EmptyState>
      ) : (
        <div className="video-list">
          {videos.map((video) => (
            <VideoRow key={video.id} video={video} />
          ))}
        </div>
      )}
      <LoadMore hasMore={results.hasNextPage} loading={results.isFetchingNextPage} onLoadMore={() => void results.fetchNextPage()} />
    </div>
  );
}
