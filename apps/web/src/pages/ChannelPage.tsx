import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { VideoCard } from '../components/VideoCard.tsx';
import { Avatar, EmptyState, ErrorMessage, PageLoading } from '../components/ui.tsx';
import { formatCompactNumber } from '../lib/format.ts';
import { useDocumentTitle } from './use-document-title.ts';

export function ChannelPage() {
  const { handle = '' } = useParams();
  const { user } = useAuth();
  const channel = useQuery({ queryKey: ['channel', handle], queryFn: () => api.getChannel(handle) });
  const videos = useInfiniteQuery({
    queryKey: ['videos', 'channel', handle],
    queryFn: ({ pageParam }) => api.listChannelVideos(handle, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    enabled: channel.isSuccess,
  });
  useDocumentTitle(channel.data?.name ?? `@${handle}`);

  if (channel.isPending) return <PageLoading />;
  if (channel.isError) {
    if (channel.error instanceof ApiError && channel.error.status === 404) {
      return (
        <div className="page">
          <EmptyState icon="channel" title="This channel doesn't exist">
            <p className="muted">Check the link, or find channels with the search box.</p>
          </EmptyState>
        </div>
      );
    }
    return <ErrorMessage message={describeError(channel.error)} onRetry={() => void channel.refetch()} />;
  }

  const { name, description, subscriberCount, videoCount, avatarUrl, owner } = channel.data;
  const isOwner = user?.id === owner.id;
  const items = videos.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="page">
      <header className="channel-header">
        {avatarUrl ? <img className="channel-avatar" src={avatarUrl} alt="" width={96} height={96} /> : <Avatar name={name} size={96} />}
        <div className="channel-info">
          <h1>{name}</h1>
          <p className="muted">
            @{channel.data.handle} · {formatCompactNumber(subscriberCount)} subscriber{subscriberCount === 1 ? '' : 's'} · {videoCount} video
            {videoCount === 1 ? '' : 's'}
          </p>
          {description ? <p className="channel-description">{description}</p> : null}
        </div>
        {isOwner ? (
          <Link to="/studio" className="button button-secondary">
            Manage videos
          </Link>
        ) : null}
      </header>
      {videos.isError ? <ErrorMessage message={describeError(videos.error)} onRetry={() => void videos.refetch()} /> : null}
      {videos.isSuccess && items.length === 0 ? (
        <EmptyState icon="video" title="No videos yet">
          {isOwner ? (
            <Link to="/upload" className="button button-primary">
              Upload a video
            </Link>
          ) : (
            <p className="muted">This channel hasn't published anything yet.</p>
          )}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <div className="video-grid">
          {items.map((video) => (
            <VideoCard key={video.id} video={video} />
          ))}
        </div>
      ) : null}
      <LoadMore hasMore={videos.hasNextPage} loading={videos.isFetchingNextPage} onLoadMore={() => void videos.fetchNextPage()} />
    </div>
  );
}
