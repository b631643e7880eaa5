import { useQuery } from '@tanstack/react-query';
import type { Video } from '@tube/shared';
import { VideoRow } from '../../components/VideoCard.tsx';
import { videoQueries } from './api.ts';

/** The watch page's sidebar: related videos, or the newest ones where the server cannot relate them. */
export function RelatedVideos({ videoId, excludeIds }: { videoId: string; excludeIds: ReadonlySet<string> }) {
  const related = useQuery({ ...videoQueries.related(videoId), retry: false });
  const newest = useQuery({
    ...videoQueries.homeFeedFirstPage(),
    enabled: related.isError,
  });
  const source: Video[] = related.data?.items ?? (related.isError ? (newest.data?.items ?? []) : []);
  const shown = source.filter((video) => video.id !== videoId && !excludeIds.has(video.id)).slice(0, 20);
  // Secondary content: when it can't load, the page simply goes without it.
  if (shown.length === 0) return null;
  return (
    <section aria-labelledby="related-heading" data-testid="related-videos">
      <h2 id="related-heading">{related.data ? 'Related videos' : 'More videos'}</h2>
      <div className="video-list">
        {shown.map((video) => (
          <VideoRow key={video.id} video={video} compact />
        ))}
      </div>
    </section>
  );
}
