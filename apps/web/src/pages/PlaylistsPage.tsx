import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { queryKeys } from '../api/query-keys.ts';
import { SignInRequired } from '../auth/SignInRequired.tsx';
import { Icon } from '../components/Icon.tsx';
import { NewPlaylistForm } from '../components/NewPlaylistForm.tsx';
import { PlaylistCard } from '../components/PlaylistCard.tsx';
import { Dialog, ErrorMessage, PageLoading } from '../components/ui.tsx';
import { useDocumentTitle } from './use-document-title.ts';

export function PlaylistsPage() {
  useDocumentTitle('Playlists');
  return (
    <SignInRequired icon="playlist" title="Save videos for later" message="Sign in to make playlists and keep a Watch later list.">
      <Playlists />
    </SignInRequired>
  );
}

function Playlists() {
  const playlists = useQuery({ queryKey: queryKeys.myPlaylists, queryFn: api.listMyPlaylists });
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
            queryClient.setQueryData(queryKeys.playlist(playlist.id), playlist);
            void queryClient.invalidateQueries({ queryKey: queryKeys.myPlaylists });
            navigate(`/playlist/${playlist.id}`);
          }}
        />
      </Dialog>
    </div>
  );
}
