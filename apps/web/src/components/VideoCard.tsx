import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Video } from '@tube/shared';
import { formatDuration, formatRelativeTime, formatViewCount } from '../lib/format.ts';
import { Icon } from './Icon.tsx';
import { Avatar } from './ui.tsx';
import './video-card.css';
import './lists.css';

/** `watchedSeconds` draws the red "watched so far" bar along the bottom, as in history lists. */
export function Thumbnail({ video, eager = false, watchedSeconds = null }: { video: Video; eager?: boolean; watchedSeconds?: number | null }) {
  const [broken, setBroken] = useState(false);
  const duration = formatDuration(video.durationSeconds);
  return (
    <div className="thumbnail">
      {video.thumbnailUrl && !broken ? (
        <img src={video.thumbnailUrl} alt="" loading={eager ? 'eager' : 'lazy'} decoding="async" onError={() => setBroken(true)} />
      ) : (
        <div className="thumbnail-placeholder">
          <Icon name="video" size={40} />
        </div>
      )}
      {duration ? <span className="duration-badge">{duration}</span> : null}
      {watchedSeconds !== null && video.durationSeconds ? (
        <span className="thumbnail-watched" aria-hidden="true">
          <span style={{ width: `${Math.min(100, (watchedSeconds / video.durationSeconds) * 100)}%` }} />
        </span>
      ) : null}
    </div>
  );
}

function publishedLabel(video: Video): string {
  return formatRelativeTime(video.publishedAt ?? video.createdAt);
}

/** Grid card for the home feed. */
export function VideoCard({ video, eager }: { video: Video; eager?: boolean }) {
  return (
    <article className="video-card" data-testid="video-card">
      <Link to={`/watch/${video.id}`} className="video-card-thumb" tabIndex={-1} aria-hidden="true">
        <Thumbnail video={video} eager={eager} />
      </Link>
      <div className="video-card-body">
        <Avatar name={video.channel.name} size={36} />
        <div className="video-card-text">
          <h3 className="video-title">
            <Link to={`/watch/${video.id}`} title={video.title}>
              {video.title}
            </Link>
          </h3>
          <div className="video-meta">
            <Link to={`/channel/${encodeURIComponent(video.channel.handle)}`} className="channel-link">
              {video.channel.name}
            </Link>
            <div>
              {formatViewCount(video.viewCount)} · {publishedLabel(video)}
            </div>
          </div>
        </div>
      </div>
    </article>
  );
}

/** Horizontal row for search results, lists and the watch page's sidebar; `actions` sit at its end. */
export function VideoRow({
  video,
  compact = false,
  watchedSeconds = null,
  href,
  actions,
}: {
  video: Video;
  compact?: boolean;
  watchedSeconds?: number | null;
  /** Where the row leads; the watch page by default. */
  href?: string;
  actions?: ReactNode;
}) {
  const watchPath = href ?? `/watch/${video.id}`;
  return (
    <article
      className={['video-row', compact ? 'video-row-compact' : '', actions ? 'video-row-with-actions' : ''].filter(Boolean).join(' ')}
      data-testid="video-row"
      data-video-id={video.id}
    >
      <Link to={watchPath} className="video-row-thumb" tabIndex={-1} aria-hidden="true">
        <Thumbnail video={video} watchedSeconds={watchedSeconds} />
      </Link>
      <div className="video-row-text">
        <h3 className="video-title">
          <Link to={watchPath} title={video.title}>
            {video.title}
          </Link>
        </h3>
        <div className="video-meta">
          {formatViewCount(video.viewCount)} · {publishedLabel(video)}
        </div>
        <div className="video-meta">
          <Link to={`/channel/${encodeURIComponent(video.channel.handle)}`} className="channel-link">
            {video.channel.name}
          </Link>
        </div>
        {!compact && video.description ? <p className="video-row-description">{video.description.slice(0, 200)}</p> : null}
      </div>
      {actions ? <div className="video-row-actions">{actions}</div> : null}
    </article>
  );
}

export function VideoCardSkeleton() {
  return (
    <div className="video-card skeleton" aria-hidden="true">
      <div className="thumbnail" />
      <div className="video-card-body">
        <span className="skeleton-circle" />
        <div className="video-card-text">
          <div className="skeleton-line" />
          <div className="skeleton-line short" />
        </div>
      </div>
    </div>
  );
}
