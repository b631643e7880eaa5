import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { Thumbnail } from '../../components/VideoCard.tsx';
import { formatCountdown } from '../../lib/creator-format.ts';
import './creators.css';
import { studioQueries } from './api.ts';

/**
 * Premiere-style cards for the channel's scheduled videos, shown to its owner on the channel page. Viewers never see
 * them: a scheduled video stays private, everywhere, until its time.
 */
export function ScheduledCards({ channelHandle }: { channelHandle: string }) {
  const scheduled = useQuery({
    ...studioQueries.scheduled(channelHandle),
    refetchInterval: 60_000,
  });
  const items = scheduled.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="scheduled-title" data-testid="scheduled-videos">
      <h2 id="scheduled-title">Scheduled</h2>
      <p className="muted">Only you can see these until they are published.</p>
      <div className="scheduled-cards">
        {items.map((video) => (
          <article key={video.id} className="scheduled-card" data-testid="scheduled-card">
            <Link to={`/studio?edit=${video.id}`}>
              <Thumbnail video={video} />
              <span className="scheduled-badge">Premieres {formatCountdown(video.scheduledAt ?? new Date().toISOString())}</span>
            </Link>
            <h3 className="video-card-title">{video.title}</h3>
            <p className="muted">{video.scheduledAt ? new Date(video.scheduledAt).toLocaleString() : null}</p>
          </article>
        ))}
      </div>
    </section>
  );
}
