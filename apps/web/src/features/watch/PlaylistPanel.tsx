import { Link } from 'react-router-dom';
import type { Playlist } from '@tube/shared';
import { Icon } from '../../components/Icon.tsx';
import { Thumbnail } from '../../components/VideoCard.tsx';
import './playlist-panel.css';

/** The playlist being played through, with the current video marked; shown beside the player. */
export function PlaylistPanel({ playlist, listParam, currentVideoId }: { playlist: Playlist; listParam: string; currentVideoId: string }) {
  const position = playlist.items.findIndex((item) => item.id === currentVideoId);
  return (
    <section className="playlist-panel" aria-labelledby="playlist-panel-title" data-testid="playlist-panel">
      <header className="playlist-panel-header">
        <h2 id="playlist-panel-title">
          <Link to={`/playlist/${encodeURIComponent(listParam)}`}>{playlist.title}</Link>
        </h2>
        <p className="muted">
          {playlist.owner.username} · {position >= 0 ? `${position + 1} / ${playlist.items.length}` : `${playlist.items.length} videos`}
        </p>
      </header>
      <ol className="playlist-panel-items">
        {playlist.items.map((video, index) => {
          const current = video.id === currentVideoId;
          return (
            <li key={video.id} aria-current={current ? 'true' : undefined} data-current={current || undefined}>
              <Link to={`/watch/${video.id}?list=${encodeURIComponent(listParam)}`} className="playlist-panel-item">
                <span className="playlist-panel-index" aria-hidden="true">
                  {current ? <Icon name="play" size={14} /> : index + 1}
                </span>
                <Thumbnail video={video} />
                <span className="playlist-panel-text">
                  <span className="video-title">{video.title}</span>
                  <span className="muted">{video.channel.name}</span>
                </span>
              </Link>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
