import { Link } from 'react-router-dom';
import type { PlaylistSummary } from '@tube/shared';
import { Icon } from '../../components/Icon.tsx';
import { VISIBILITY_OPTIONS } from '../../components/VisibilitySelect.tsx';
import '../../components/video-card.css';
import '../../components/lists.css';

/** A playlist in a grid: its first video's thumbnail with the count over it. */
export function PlaylistCard({ playlist }: { playlist: PlaylistSummary }) {
  const path = `/playlist/${encodeURIComponent(playlist.kind === 'watch_later' ? 'watch-later' : playlist.id)}`;
  const visibility = VISIBILITY_OPTIONS.find((option) => option.value === playlist.visibility);
  return (
    <article className="playlist-card" data-testid="playlist-card">
      <Link to={path} className="playlist-card-thumb" tabIndex={-1} aria-hidden="true">
        <div className="thumbnail">
          {playlist.thumbnailUrl ? (
            <img src={playlist.thumbnailUrl} alt="" loading="lazy" />
          ) : (
            <div className="thumbnail-placeholder">
              <Icon name={playlist.kind === 'watch_later' ? 'watchLater' : 'playlist'} size={40} />
            </div>
          )}
          <span className="playlist-count">
            <Icon name="playlist" size={18} /> {playlist.videoCount === 1 ? '1 video' : `${playlist.videoCount} videos`}
          </span>
        </div>
      </Link>
      <h3 className="video-title">
        <Link to={path}>{playlist.title}</Link>
      </h3>
      <div className="video-meta">
        {playlist.kind === 'watch_later' ? 'Private' : (visibility?.label ?? playlist.visibility)} · <Link to={path}>View full playlist</Link>
      </div>
    </article>
  );
}
