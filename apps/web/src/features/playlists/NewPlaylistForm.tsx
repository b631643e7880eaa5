import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { Playlist, Visibility } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { VisibilitySelect } from '../../components/VisibilitySelect.tsx';
import { Field } from '../../components/ui.tsx';
import { PLAYLIST_TITLE_MAX_LENGTH } from '../../lib/community-rules.ts';
import { playlistsApi } from './api.ts';
import './playlists.css';

/** Title and visibility of a new playlist; calls back with the created playlist. */
export function NewPlaylistForm({ onCreated, onCancel }: { onCreated(playlist: Playlist): void; onCancel?: () => void }) {
  const [title, setTitle] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  const [showError, setShowError] = useState(false);
  const create = useMutation({ mutationFn: () => playlistsApi.createPlaylist({ title: title.trim(), visibility }), onSuccess: onCreated });
  const titleError =
    title.trim().length === 0
      ? 'Enter a name for the playlist.'
      : title.trim().length > PLAYLIST_TITLE_MAX_LENGTH
        ? `Use at most ${PLAYLIST_TITLE_MAX_LENGTH} characters.`
        : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowError(true);
    if (!titleError) create.mutate();
  };
  return (
    <form className="new-playlist" onSubmit={submit} noValidate aria-label="New playlist">
      {create.isError ? <p className="form-error">{describeError(create.error)}</p> : null}
      <Field label="Name" error={showError ? titleError : undefined} counter={`${title.trim().length}/${PLAYLIST_TITLE_MAX_LENGTH}`}>
        {(control) => (
          <input {...control} name="title" value={title} autoFocus placeholder="Enter playlist name…" onChange={(event) => setTitle(event.target.value)} />
        )}
      </Field>
      <Field label="Visibility">{(control) => <VisibilitySelect {...control} value={visibility} onChange={setVisibility} />}</Field>
      <div className="form-actions">
        {onCancel ? (
          <button type="button" className="button button-text" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
