import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { LoadMore } from '../components/LoadMore.tsx';
import { VideoCard, VideoCardSkeleton } from '../components/VideoCard.tsx';
import { EmptyState, ErrorMessage } from '../components/ui.tsx';
import { useDocumentTitle } from './use-document-title.ts';

export const HOME_FEED_KEY = ['videos', 'feed'] as const;

export function HomePage() {
  useDocumentTitle(null);
  const feed = useInfiniteQuery({
    queryKey: HOME_FEED_KEY,
    queryFn: ({ pageParam }) => api.listVideos(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });

  const videos = feed.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <div className="page">
      <h1 className="visually-hidden">Home</h1>
      {feed.isError && videos.length === 0 ? <ErrorMessage message={describeError(feed.error)} onRetry={() => void feed.refetch()} /> : null}
      {feed.isPending ? (
        <div className="video-grid" aria-busy="true">
          {Array.from({ length: 12 }, (_, index) => (
            <VideoCardSkeleton key={index} />
          ))}
        </div>
      ) : null}
      {feed.isSuccess && videos.length === 0 ? (
        <EmptyState icon="video" title="No videos yet">
          <p className="muted">Be the first to share something.</p>
          <Link to="/upload" className="button button-primary">
            Upload a video
          </Link>
        </EmptyState>
      ) : null}
      {videos.length > 0 ? (
        <div className="video-grid" data-testid="video-grid">
          {videos.map((video, index) => (
            <VideoCard key={video.id} video={video} eager={index < 8} />
          ))}
        </div>
      ) : null}
      {feed.isError && videos.length > 0 ? <ErrorMessage message={describeError(feed.error)} onRetry={() => void feed.fetchNextPage()} /> : null}
      <LoadMore hasMore={feed.hasNextPage && !feed.isError} loading={feed.isFetchingNextPage} onLoadMore={() => void feed.fetchNextPage()} />
    </div>
  );
}
