import { useState } from 'react';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Playlist, PlaylistSummary, Video } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useAuth } from '../../api/auth-context.tsx';
import { Icon } from '../../components/Icon.tsx';
import { SignInPopover } from '../../components/SignInPopover.tsx';
import { useToast } from '../../components/toasts.tsx';
import { NewPlaylistForm } from './NewPlaylistForm.tsx';
import { Dialog, ErrorMessage, Spinner } from '../../components/ui.tsx';
import { playlistKeys, playlistsApi, playlistQueries } from './api.ts';
import './playlists.css';

/** The "Save" action of the watch page: Watch later and the viewer's playlists, with a form for a new one. */
export function SaveButton({ video }: { video: Video }) {
  const { user } = useAuth();
  const [open, setOpen] = useState(false);
  if (!user) {
    return (
      <SignInPopover
        className="button button-secondary"
        trigger={
          <>
            <Icon name="playlistAdd" /> Save
          </>
        }
        title="Want to watch this again later?"
        message="Sign in to add this video to a playlist."
      />
    );
  }
  return (
    <>
      <button type="button" className="button button-secondary" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <Icon name="playlistAdd" /> Save
      </button>
      <Dialog open={open} title="Save video to…" onClose={() => setOpen(false)}>
        {open ? <SaveToPlaylistForm video={video} /> : null}
      </Dialog>
    </>
  );
}

function SaveToPlaylistForm({ video }: { video: Video }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const playlists = useQuery(playlistQueries.myPlaylists());
  // Which playlists hold this video: the list endpoint only gives counts, so each playlist is read.
  const details = useQueries({
    queries: (playlists.data?.items ?? []).map((playlist) => playlistQueries.playlist(playlist.id)),
  });
  const [creating, setCreating] = useState(false);
  // What the viewer just ticked, shown at once (before the cache update lands) until the server answers.
  const [intended, setIntended] = useState<ReadonlyMap<string, boolean>>(new Map());
  const settle = (playlistId: string) =>
    setIntended((current) => {
      const next = new Map(current);
      next.delete(playlistId);
      return next;
    });

  const toggle = useMutation({
    mutationFn: ({ playlist, save }: { playlist: PlaylistSummary; save: boolean }) =>
      save ? playlistsApi.addToPlaylist(playlist.id, video.id) : playlistsApi.removeFromPlaylist(playlist.id, video.id),
    onMutate: async ({ playlist, save }) => {
      const key = playlistKeys.playlist(playlist.id);
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Playlist>(key);
      if (before) {
        const others = before.items.filter((item) => item.id !== video.id);
        queryClient.setQueryData<Playlist>(key, { ...before, items: save ? [...others, video] : others });
      }
      return { before };
    },
    onError: (error, { playlist }, context) => {
      if (context?.before) queryClient.setQueryData(playlistKeys.playlist(playlist.id), context.before);
      toast.show(describeError(error));
    },
    onSuccess: (saved, { playlist, save }) => {
      queryClient.setQueryData(playlistKeys.playlist(playlist.id), saved);
      if (playlist.kind === 'watch_later') queryClient.setQueryData(playlistKeys.playlist('watch-later'), saved);
      void queryClient.invalidateQueries({ queryKey: playlistKeys.myPlaylists });
      toast.show(save ? `Saved to ${playlist.title}` : `Removed from ${playlist.title}`);
    },
  });

  if (playlists.isPending) return <Spinner />;
  if (playlists.isError) return <ErrorMessage message={describeError(playlists.error)} onRetry={() => void playlists.refetch()} />;

  return (
    <div className="save-dialog" data-testid="save-dialog">
      <ul className="save-list">
        {playlists.data.items.map((playlist, index) => {
          const detail = details[index]?.data;
          const saved = intended.get(playlist.id) ?? (detail ? detail.items.some((item) => item.id === video.id) : false);
          return (
            <li key={playlist.id}>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={saved}
                  disabled={!detail}
                  onChange={(event) => {
                    const save = event.target.checked;
                    setIntended((current) => new Map(current).set(playlist.id, save));
                    toggle.mutate({ playlist, save }, { onSettled: () => settle(playlist.id) });
                  }}
                />
                <span className="save-list-title">{playlist.title}</span>
                <Icon
                  name={
                    playlist.kind === 'watch_later'
                      ? 'watchLater'
                      : playlist.visibility === 'private'
                        ? 'lock'
                        : playlist.visibility === 'unlisted'
                          ? 'link'
                          : 'globe'
                  }
                  size={18}
                />
              </label>
            </li>
          );
        })}
      </ul>
      {creating ? (
        <NewPlaylistForm
          onCreated={(playlist) => {
            setCreating(false);
            void playlistsApi
              .addToPlaylist(playlist.id, video.id)
              .then((saved) => {
                queryClient.setQueryData(playlistKeys.playlist(saved.id), saved);
                toast.show(`Saved to ${saved.title}`);
              })
              .catch((error: unknown) => toast.show(describeError(error)))
              .finally(() => void queryClient.invalidateQueries({ queryKey: playlistKeys.myPlaylists }));
          }}
        />
      ) : (
        <button type="button" className="button button-text" onClick={() => setCreating(true)}>
          <Icon name="add" /> Create new playlist
        </button>
      )}
    </div>
  );
}
