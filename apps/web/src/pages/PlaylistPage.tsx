import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Playlist, UpdatePlaylistBody, Visibility } from '@tube/shared';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth } from '../api/auth-context.tsx';
import { SignInRequired } from '../features/auth/SignInRequired.tsx';
import { Icon } from '../components/Icon.tsx';
import { useToast } from '../components/toasts.tsx';
import { Thumbnail, VideoRow } from '../components/VideoCard.tsx';
import { VISIBILITY_OPTIONS, VisibilitySelect } from '../components/VisibilitySelect.tsx';
import { Dialog, EmptyState, ErrorMessage, Field, PageLoading, SaveCancelActions, DeleteCancelActions } from '../components/ui.tsx';
import { formatDate } from '../lib/format.ts';
import { PLAYLIST_DESCRIPTION_MAX_LENGTH, PLAYLIST_TITLE_MAX_LENGTH } from '../lib/community-rules.ts';
import { moveItem } from '../lib/playlist-order.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { playlistKeys, playlistsApi, playlistQueries } from '../features/playlists/api.ts';
import '../components/lists.css';

const WATCH_LATER = 'watch-later';

export function PlaylistPage() {
  const { id = '' } = useParams();
  if (id === WATCH_LATER) {
    return (
      <SignInRequired icon="watchLater" title="Save videos to watch later" message="Sign in to keep a Watch later list.">
        <PlaylistView id={id} />
      </SignInRequired>
    );
  }
  return <PlaylistView id={id} />;
}

function PlaylistView({ id }: { id: string }) {
  const { user, status } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const key = playlistKeys.playlist(id);
  const playlist = useQuery({ ...playlistQueries.playlist(id), enabled: status !== 'loading' });
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useDocumentTitle(playlist.data?.title ?? 'Playlist');

  /** Shows the new order or membership at once; puts the old one back if the server refuses. */
  const changeItems = useMutation({
    mutationFn: (change: { kind: 'reorder'; videoIds: string[] } | { kind: 'remove'; videoId: string }) =>
      change.kind === 'reorder' ? playlistsApi.reorderPlaylist(id, change.videoIds) : playlistsApi.removeFromPlaylist(id, change.videoId),
    onMutate: async (change) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Playlist>(key);
      if (before) {
        const items =
          change.kind === 'reorder'
            ? change.videoIds.flatMap((videoId) => before.items.filter((item) => item.id === videoId))
            : before.items.filter((item) => item.id !== change.videoId);
        queryClient.setQueryData<Playlist>(key, { ...before, items, videoCount: items.length });
      }
      return { before };
    },
    onError: (error, _change, context) => {
      if (context?.before) queryClient.setQueryData(key, context.before);
      toast.show(describeError(error));
    },
    onSuccess: (saved, change) => {
      queryClient.setQueryData(key, saved);
      void queryClient.invalidateQueries({ queryKey: playlistKeys.myPlaylists });
      if (change.kind === 'remove') toast.show(`Removed from ${saved.title}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => playlistsApi.deletePlaylist(id),
    onSuccess: () => {
      toast.show('Playlist deleted');
      queryClient.removeQueries({ queryKey: key });
      void queryClient.invalidateQueries({ queryKey: playlistKeys.myPlaylists });
      void navigate('/feed/playlists');
    },
  });

  if (playlist.isPending) return <PageLoading />;
  if (playlist.isError) {
    if (playlist.error instanceof ApiError && (playlist.error.status === 404 || playlist.error.status === 403)) {
      return (
        <div className="page">
          <EmptyState icon="playlist" title="This playlist isn't available">
            <p className="muted">It is private, or it has been deleted.</p>
          </EmptyState>
        </div>
      );
    }
    return <ErrorMessage message={describeError(playlist.error)} onRetry={() => void playlist.refetch()} />;
  }

  const data = playlist.data;
  const isOwner = user?.id === data.owner.id;
  const isWatchLater = data.kind === 'watch_later';
  const listParam = data.id;
  const first = data.items[0];
  const ids = data.items.map((item) => item.id);
  const visibility = VISIBILITY_OPTIONS.find((option) => option.value === data.visibility);

  return (
    <div className="page playlist-page">
      <header className="playlist-header" data-testid="playlist-header">
        {first ? (
          <Link to={`/watch/${first.id}?list=${listParam}`} className="playlist-header-thumb" tabIndex={-1} aria-hidden="true">
            <Thumbnail video={first} />
          </Link>
        ) : null}
        <div className="playlist-header-text">
          <h1 className="page-title">{data.title}</h1>
          <p className="muted">
            {data.owner.username} · {data.items.length === 1 ? '1 video' : `${data.items.length} videos`} ·{' '}
            {isWatchLater ? 'Private' : (visibility?.label ?? data.visibility)} · Updated {formatDate(data.updatedAt)}
          </p>
          {data.description ? <p className="playlist-description">{data.description}</p> : null}
          <div className="page-header-actions">
            {first ? (
              <Link to={`/watch/${first.id}?list=${listParam}`} className="button button-primary">
                <Icon name="play" /> Play all
              </Link>
            ) : null}
            {isOwner ? (
              <button type="button" className="button button-secondary" onClick={() => setEditing(true)}>
                <Icon name="edit" /> Edit
              </button>
            ) : null}
            {isOwner && !isWatchLater ? (
              <button type="button" className="button button-text" onClick={() => setDeleting(true)}>
                <Icon name="delete" /> Delete playlist
              </button>
            ) : null}
          </div>
        </div>
      </header>

      {data.items.length === 0 ? (
        <EmptyState icon={isWatchLater ? 'watchLater' : 'playlist'} title="No videos in this playlist yet">
          <p className="muted">{isOwner ? 'Use “Save” under a video to add it here.' : 'Check back later.'}</p>
        </EmptyState>
      ) : (
        <ol className="playlist-items" data-testid="playlist-items">
          {data.items.map((video, index) => (
            <li key={video.id} className="playlist-item">
              <span className="playlist-item-index" aria-hidden="true">
                {index + 1}
              </span>
              <VideoRow
                video={video}
                href={`/watch/${video.id}?list=${listParam}`}
                actions={
                  isOwner ? (
                    <>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Move “${video.title}” up`}
                        disabled={index === 0 || changeItems.isPending}
                        onClick={() => changeItems.mutate({ kind: 'reorder', videoIds: moveItem(ids, index, -1) })}
                      >
                        <Icon name="arrowUp" />
                      </button>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Move “${video.title}” down`}
                        disabled={index === data.items.length - 1 || changeItems.isPending}
                        onClick={() => changeItems.mutate({ kind: 'reorder', videoIds: moveItem(ids, index, 1) })}
                      >
                        <Icon name="arrowDown" />
                      </button>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Remove “${video.title}” from ${data.title}`}
                        disabled={changeItems.isPending}
                        onClick={() => changeItems.mutate({ kind: 'remove', videoId: video.id })}
                      >
                        <Icon name="delete" />
                      </button>
                    </>
                  ) : null
                }
              />
            </li>
          ))}
        </ol>
      )}

      <Dialog open={editing} title={isWatchLater ? 'Edit Watch later' : 'Edit playlist'} onClose={() => setEditing(false)}>
        {editing ? (
          <EditPlaylistForm
            playlist={data}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              setEditing(false);
              queryClient.setQueryData(key, saved);
              void queryClient.invalidateQueries({ queryKey: playlistKeys.myPlaylists });
              toast.show('Playlist saved');
            }}
          />
        ) : null}
      </Dialog>
      <Dialog open={deleting} title="Delete playlist?" onClose={() => setDeleting(false)}>
        <p>
          “{data.title}” will be deleted. The videos in it are not affected. <strong>This can't be undone.</strong>
        </p>
        {remove.isError ? <p className="form-error">{describeError(remove.error)}</p> : null}
        <DeleteCancelActions onCancel={() => setDeleting(false)} onDelete={() => remove.mutate()} deleting={remove.isPending} />
      </Dialog>
    </div>
  );
}

function EditPlaylistForm({ playlist, onCancel, onSaved }: { playlist: Playlist; onCancel(): void; onSaved(playlist: Playlist): void }) {
  const isWatchLater = playlist.kind === 'watch_later';
  const [title, setTitle] = useState(playlist.title);
  const [description, setDescription] = useState(playlist.description);
  const [visibility, setVisibility] = useState<Visibility>(playlist.visibility);
  const save = useMutation({ mutationFn: (body: UpdatePlaylistBody) => playlistsApi.updatePlaylist(playlist.id, body), onSuccess: onSaved });
  const titleError =
    title.trim().length === 0
      ? 'Enter a name.'
      : title.trim().length > PLAYLIST_TITLE_MAX_LENGTH
        ? `Use at most ${PLAYLIST_TITLE_MAX_LENGTH} characters.`
        : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (titleError) return;
    const body: UpdatePlaylistBody = {};
    // Watch later keeps its name and stays private; only its description can change.
    if (!isWatchLater && title.trim() !== playlist.title) body.title = title.trim();
    if (!isWatchLater && visibility !== playlist.visibility) body.visibility = visibility;
    if (description !== playlist.description) body.description = description;
    if (Object.keys(body).length === 0) onCancel();
    else save.mutate(body);
  };
  return (
    <form onSubmit={submit} noValidate>
      {save.isError ? <p className="form-error">{describeError(save.error)}</p> : null}
      {!isWatchLater ? (
        <Field label="Title" error={titleError} counter={`${title.trim().length}/${PLAYLIST_TITLE_MAX_LENGTH}`}>
          {(control) => <input {...control} name="title" value={title} onChange={(event) => setTitle(event.target.value)} />}
        </Field>
      ) : null}
      <Field label="Description">
        {(control) => (
          <textarea
            {...control}
            name="description"
            maxLength={PLAYLIST_DESCRIPTION_MAX_LENGTH}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      {!isWatchLater ? <Field label="Visibility">{(control) => <VisibilitySelect {...control} value={visibility} onChange={setVisibility} />}</Field> : null}
      <SaveCancelActions onCancel={onCancel} saving={save.isPending} />
    </form>
  );
}
