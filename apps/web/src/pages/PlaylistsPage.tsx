import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { SignInRequired } from '../features/auth/SignInRequired.tsx';
import { Icon } from '../components/Icon.tsx';
import { NewPlaylistForm } from '../features/playlists/NewPlaylistForm.tsx';
import { PlaylistCard } from '../features/playlists/PlaylistCard.tsx';
import { Dialog, ErrorMessage, PageLoading } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { playlistKeys, playlistQueries } from '../features/playlists/api.ts';

export function PlaylistsPage() {
  useDocumentTitle('Playlists');
  return (
    <SignInRequired icon="playlist" title="Save videos for later" message="Sign in to make playlists and keep a Watch later list.">
      <Playlists />
    </SignInRequired>
  );
}

function Playlists() {
  const playlists = useQuery(playlistQueries.myPlaylists());
  const [creating, setCreating] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  if (playlists.isPending) return <PageLoading />;
  if (playlists.isError) return <ErrorMessage message={describeError(playlists.error)} onRetry={() => void playlists.refetch()} />;
  return (
    <div className="page">
      <div className="page-header">
        <h1 className="page-title">Playlists</h1>
        <button type="button" className="button button-secondary" onClick={() => setCreating(true)}>
          <Icon name="add" /> New playlist
        </button>
      </div>
      <div className="video-grid" data-testid="playlist-grid">
        {playlists.data.items.map((playlist) => (
          <PlaylistCard key={playlist.id} playlist={playlist} />
        ))}
      </div>
      <Dialog open={creating} title="New playlist" onClose={() => setCreating(false)}>
        <NewPlaylistForm
          onCancel={() => setCreating(false)}
          onCreated={(playlist) => {
            setCreating(false);
            queryClient.setQueryData(playlistKeys.playlist(playlist.id), playlist);
            void queryClient.invalidateQueries({ queryKey: playlistKeys.myPlaylists });
            void navigate(`/playlist/${playlist.id}`);
          }}
        />
      </Dialog>
    </div>
  );
}
