import type { ReactNode } from 'react';
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import type { Video } from '@tube/shared';
import { describeError } from '../api/errors.ts';
import { LoadMore } from './LoadMore.tsx';
import { VideoCard, VideoCardSkeleton, VideoRow } from './VideoCard.tsx';
import { ErrorMessage } from './ui.tsx';
import './video-card.css';

interface VideoPageLike {
  items: Video[];
  nextCursor: string | null;
}

/** An endlessly scrolling list of videos from a cursor-paged endpoint, as a grid or as rows. */
export function VideoFeed({
  queryKey,
  fetchPage,
  layout = 'grid',
  empty,
  testId,
}: {
  queryKey: QueryKey;
  fetchPage(cursor: string | null): Promise<VideoPageLike>;
  layout?: 'grid' | 'list';
  empty: ReactNode;
  testId?: string;
}) {
  const feed = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
  const videos = feed.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      {feed.isError && videos.length === 0 ? <ErrorMessage message={describeError(feed.error)} onRetry={() => void feed.refetch()} /> : null}
      {feed.isPending ? (
        <div className="video-grid" aria-busy="true">
          {Array.from({ length: 8 }, (_, index) => (
            <VideoCardSkeleton key={index} />
          ))}
        </div>
      ) : null}
      {feed.isSuccess && videos.length === 0 ? empty : null}
      {videos.length > 0 ? (
        layout === 'grid' ? (
          <div className="video-grid" data-testid={testId}>
            {videos.map((video, index) => (
              <VideoCard key={video.id} video={video} eager={index < 8} />
            ))}
          </div>
        ) : (
          <div className="video-list" data-testid={testId}>
            {videos.map((video) => (
              <VideoRow key={video.id} video={video} />
            ))}
          </div>
        )
      ) : null}
      {feed.isError && videos.length > 0 ? <ErrorMessage message={describeError(feed.error)} onRetry={() => void feed.fetchNextPage()} /> : null}
      <LoadMore hasMore={feed.hasNextPage && !feed.isError} loading={feed.isFetchingNextPage} onLoadMore={() => void feed.fetchNextPage()} />
    </>
  );
}
