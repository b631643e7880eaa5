import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Video } from '@tube/shared';
import { useAuth } from '../api/auth-context.tsx';
import { SignInRequired } from '../features/auth/SignInRequired.tsx';
import { ChannelAvatar } from '../components/ChannelAvatar.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { PlaylistCard } from '../features/playlists/PlaylistCard.tsx';
import { VideoCard } from '../components/VideoCard.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { historyQueries } from '../features/history/api.ts';
import { playlistQueries } from '../features/playlists/api.ts';
import { ratingQueries } from '../features/rating/api.ts';
import '../components/lists.css';

const PREVIEW_COUNT = 4;

/** "You": a preview of history, Watch later, playlists and liked videos, each leading to its full page. */
export function LibraryPage() {
  useDocumentTitle('Library');
  return (
    <SignInRequired icon="library" title="Enjoy your favourite videos" message="Sign in to see your history, playlists and liked videos.">
      <Library />
    </SignInRequired>
  );
}

function Library() {
  const { user } = useAuth();
  const history = useQuery(historyQueries.preview());
  const watchLater = useQuery(playlistQueries.playlist('watch-later'));
  const playlists = useQuery(playlistQueries.myPlaylists());
  const liked = useQuery(ratingQueries.likedPreview());
  const regularPlaylists = (playlists.data?.items ?? []).filter((playlist) => playlist.kind === 'regular');
  return (
    <div className="page">
      {user ? (
        <header className="library-header">
          <ChannelAvatar name={user.channel?.name ?? user.username} avatarUrl={null} size={72} />
          <div>
            <h1 className="page-title">{user.channel?.name ?? user.username}</h1>
            <p className="muted">
              @{user.channel?.handle ?? user.username} · <Link to="/channels/mine">My channels</Link>
            </p>
          </div>
        </header>
      ) : null}
      <VideoShelf
        icon="history"
        title="History"
        to="/feed/history"
        videos={history.data?.items.map((entry) => entry.video)}
        empty="Videos you watch will show up here."
      />
      <VideoShelf icon="watchLater" title="Watch later" to="/playlist/watch-later" videos={watchLater.data?.items} empty="Save videos to watch them later." />
      <section className="library-section" aria-labelledby="library-playlists">
        <div className="section-header">
          <h2 id="library-playlists">
            <Icon name="playlist" /> Playlists
          </h2>
          <Link to="/feed/playlists" className="button button-text">
            See all
          </Link>
        </div>
        {regularPlaylists.length > 0 ? (
          <div className="video-grid">
            {regularPlaylists.slice(0, PREVIEW_COUNT).map((playlist) => (
              <PlaylistCard key={playlist.id} playlist={playlist} />
            ))}
          </div>
        ) : (
          <p className="muted">Playlists you create show up here.</p>
        )}
      </section>
      <VideoShelf icon="thumbUp" title="Liked videos" to="/feed/liked" videos={liked.data?.items} empty="Videos you like show up here." />
    </div>
  );
}

function VideoShelf({ icon, title, to, videos, empty }: { icon: IconName; title: string; to: string; videos: Video[] | undefined; empty: ReactNode }) {
  const headingId = `library-${title.toLowerCase().replace(/\s+/g, '-')}`;
  return (
    <section className="library-section" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId}>
          <Icon name={icon} /> {title}
        </h2>
        <Link to={to} className="button button-text">
          See all
        </Link>
      </div>
      {videos === undefined ? null : videos.length > 0 ? (
        <div className="video-grid">
          {videos.slice(0, PREVIEW_COUNT).map((video) => (
            <VideoCard key={video.id} video={video} />
          ))}
        </div>
      ) : (
        <p className="muted">{empty}</p>
      )}
    </section>
  );
}
