import { useEffect, useState } from 'react';
import { useMutation, useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import type { Channel, PlaylistList, StudioBulkBody, StudioSort, StudioVideoQuery, StudioVisibilityFilter, VideoStatus, Visibility } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useDebouncedValue } from '../../components/use-debounced-value.ts';
import { studioApi } from './api.ts';

const STATUSES: ReadonlyArray<[VideoStatus, string]> = [
  ['ready', 'Ready'],
  ['processing', 'Processing'],
  ['queued', 'Queued'],
  ['awaiting_upload', 'Waiting for upload'],
  ['failed', 'Failed'],
];
const VISIBILITIES: ReadonlyArray<[StudioVisibilityFilter, string]> = [
  ['public', 'Public'],
  ['unlisted', 'Unlisted'],
  ['private', 'Private'],
  ['draft', 'Drafts'],
  ['scheduled', 'Scheduled'],
];
const SORTS: ReadonlyArray<[StudioSort, string]> = [
  ['newest', 'Newest'],
  ['oldest', 'Oldest'],
  ['title', 'Title'],
  ['views', 'Most viewed'],
  ['likes', 'Most liked'],
  ['comments', 'Most comments'],
];

const pick = <T extends string>(options: ReadonlyArray<readonly [T, string]>, value: string | null): T | undefined =>
  options.find(([option]) => option === value)?.[0];

/** The studio's filters live in the URL, so a filtered view can be bookmarked and survives a reload. */
export function studioQueryFromParams(params: URLSearchParams): Omit<StudioVideoQuery, 'cursor' | 'limit'> {
  const query: Omit<StudioVideoQuery, 'cursor' | 'limit'> = {};
  const q = params.get('q')?.trim();
  if (q) query.q = q;
  const status = pick(STATUSES, params.get('status'));
  if (status) query.status = status;
  const visibility = pick(VISIBILITIES, params.get('visibility'));
  if (visibility) query.visibility = visibility;
  const channel = params.get('channel');
  if (channel && /^[0-9a-f-]{36}$/.test(channel)) query.channelId = channel;
  const sort = pick(SORTS, params.get('sort'));
  if (sort) query.sort = sort;
  return query;
}

export function StudioToolbar({
  params,
  onChange,
  channels,
  total,
}: {
  params: URLSearchParams;
  onChange(next: URLSearchParams): void;
  channels: Channel[];
  total: number;
}) {
  const [text, setText] = useState(params.get('q') ?? '');
  const debounced = useDebouncedValue(text, 250);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    onChange(next);
  };
  useEffect(() => {
    if ((params.get('q') ?? '') !== debounced) set('q', debounced);
    // Only the typed text drives this effect; the other filters are set directly by their selects.
  }, [debounced]);

  return (
    <div className="studio-toolbar" role="search" aria-label="Filter my videos">
      <input type="search" aria-label="Search my videos" placeholder="Search titles" value={text} onChange={(event) => setText(event.target.value)} />
      <select aria-label="Status" value={params.get('status') ?? ''} onChange={(event) => set('status', event.target.value)}>
        <option value="">Any status</option>
        {STATUSES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <select aria-label="Visibility filter" value={params.get('visibility') ?? ''} onChange={(event) => set('visibility', event.target.value)}>
        <option value="">Any visibility</option>
        {VISIBILITIES.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {channels.length > 1 ? (
        <select aria-label="Channel" value={params.get('channel') ?? ''} onChange={(event) => set('channel', event.target.value)}>
          <option value="">All channels</option>
          {channels.map((channel) => (
            <option key={channel.id} value={channel.id}>
              {channel.name}
            </option>
          ))}
        </select>
      ) : null}
      <select
        aria-label="Sort by"
        value={params.get('sort') ?? 'newest'}
        onChange={(event) => set('sort', event.target.value === 'newest' ? '' : event.target.value)}
      >
        {SORTS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <span className="muted" aria-live="polite">
        {total === 1 ? '1 video' : `${total} videos`}
      </span>
    </div>
  );
}

/**
 * Actions on the selected videos; failures for some videos are reported without undoing the others.
 * `playlistsQuery` fetches the playlists offered by "Add to playlist" (the playlists feature's), asked only once a selection shows.
 */
export function BulkActions<TKey extends QueryKey>({
  ids,
  playlistsQuery,
  onDone,
  onClear,
}: {
  ids: string[];
  playlistsQuery: UseQueryOptions<PlaylistList, Error, PlaylistList, TKey>;
  onDone(message: string): void;
  onClear(): void;
}) {
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [playlistId, setPlaylistId] = useState('');
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const playlists = useQuery(playlistsQuery);
  const run = useMutation({
    mutationFn: (body: StudioBulkBody) => studioApi.studioBulk(body),
    onSuccess: (result) => {
      setConfirmingDelete(false);
      const failed = result.failed.length ? `; ${result.failed.length} could not be changed (${result.failed[0]!.message})` : '';
      onDone(`${result.done.length} ${result.done.length === 1 ? 'video' : 'videos'} updated${failed}`);
    },
  });
  return (
    <div className="studio-bulk" role="region" aria-label="Selected videos" data-testid="studio-bulk">
      <strong>{ids.length} selected</strong>
      <select aria-label="New visibility" value={visibility} onChange={(event) => setVisibility(event.target.value as Visibility)}>
        <option value="public">Public</option>
        <option value="unlisted">Unlisted</option>
        <option value="private">Private</option>
      </select>
      <button
        type="button"
        className="button button-secondary"
        disabled={run.isPending}
        onClick={() => run.mutate({ ids, action: 'set_visibility', visibility })}
      >
        Set visibility
      </button>
      <select aria-label="Playlist" value={playlistId} onChange={(event) => setPlaylistId(event.target.value)}>
        <option value="">Choose a playlist…</option>
        {(playlists.data?.items ?? []).map((playlist) => (
          <option key={playlist.id} value={playlist.id}>
            {playlist.title}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="button button-secondary"
        disabled={!playlistId || run.isPending}
        onClick={() => run.mutate({ ids, action: 'add_to_playlist', playlistId })}
      >
        Add to playlist
      </button>
      {confirmingDelete ? (
        <button type="button" className="button button-danger" disabled={run.isPending} onClick={() => run.mutate({ ids, action: 'delete' })}>
          Delete {ids.length} forever
        </button>
      ) : (
        <button type="button" className="button button-secondary" onClick={() => setConfirmingDelete(true)}>
          Delete…
        </button>
      )}
      <button type="button" className="button button-ghost" onClick={onClear}>
        Clear selection
      </button>
      {run.isError ? (
        <p className="form-error" role="alert">
          {describeError(run.error)}
        </p>
      ) : null}
    </div>
  );
}
