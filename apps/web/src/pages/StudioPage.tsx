import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import type {
  CommentsPolicy,
  StudioVideoPage,
  StudioVideoQuery,
  StudioVideoStats,
  UpdateVideoBody,
  Video,
  VideoCategory,
  VideoLicence,
  Visibility,
} from '@tube/shared';
import { VIDEO_CATEGORIES, VIDEO_LICENCES } from '@tube/shared';
import {
  CATEGORY_LABELS,
  formatWatchTime,
  fromLocalInputValue,
  LANGUAGE_OPTIONS,
  LICENCE_LABELS,
  publishingLabel,
  toLocalInputValue,
} from '../lib/creator-format.ts';
import { StudioToolbar, BulkActions, studioQueryFromParams } from '../features/studio/StudioToolbar.tsx';
import { ThumbnailPicker } from '../features/studio/ThumbnailPicker.tsx';
import { HeldComments } from '../features/comments/HeldComments.tsx';
import '../features/studio/creators.css';
import { describeError } from '../api/errors.ts';
import { Icon } from '../components/Icon.tsx';
import { VISIBILITY_OPTIONS, VisibilitySelect } from '../components/VisibilitySelect.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { QuotaMeter } from '../features/studio/QuotaMeter.tsx';
import { useToast } from '../components/toasts.tsx';
import { Thumbnail } from '../components/VideoCard.tsx';
import { Dialog, EmptyState, ErrorMessage, Field, PageLoading, ProgressBar, StatusChip, SaveCancelActions, DeleteCancelActions } from '../components/ui.tsx';
import { formatDate, formatPercent, formatRungProgress, formatTimeRemaining } from '../lib/format.ts';
import { DESCRIPTION_MAX_LENGTH, parseTags, TITLE_MAX_LENGTH, validateVideoDetails } from '../lib/validation.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { processingStartText } from '../lib/processing-start.ts';
import { channelQueries } from '../features/channels/api.ts';
import { studioKeys, studioQueries } from '../features/studio/api.ts';
import { videoKeys, videosApi } from '../features/videos/api.ts';
import { keyRoots } from '../api/query-keys.ts';
import { playlistQueries } from '../features/playlists/api.ts';
import '../features/studio/studio.css';

const IN_PROGRESS_POLL_MS = 2000;

// Not awaiting_upload: an abandoned upload would keep the page polling forever.
const isInProgress = (video: Video) => video.status === 'queued' || video.status === 'processing' || video.status === 'playable';

export function StudioPage() {
  useDocumentTitle('Studio');
  const [searchParams, setSearchParams] = useSearchParams();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [deleting, setDeleting] = useState<Video | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const filters: Omit<StudioVideoQuery, 'cursor' | 'limit'> = studioQueryFromParams(searchParams);
  const channels = useQuery(channelQueries.studioChannels());
  const videos = useInfiniteQuery({
    ...studioQueries.videos(filters),
    refetchInterval: (query) => (query.state.data?.pages.some((page) => page.items.some(isInProgress)) ? IN_PROGRESS_POLL_MS : false),
  });
  const items = videos.data?.pages.flatMap((page) => page.items) ?? [];
  const stats: Record<string, StudioVideoStats> = Object.assign({}, ...(videos.data?.pages.map((page) => page.stats) ?? []));
  const total = videos.data?.pages[0]?.total ?? 0;

  const editId = searchParams.get('edit');
  const editing = editId ? (items.find((video) => video.id === editId) ?? null) : null;
  const withParams = (change: (params: URLSearchParams) => void) => {
    const next = new URLSearchParams(searchParams);
    change(next);
    return next;
  };
  const openEditor = (video: Video) => setSearchParams(withParams((params) => params.set('edit', video.id)));
  const closeEditor = () =>
    setSearchParams(
      withParams((params) => params.delete('edit')),
      { replace: true },
    );
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const refreshAfterChange = (videoId: string) => {
    void queryClient.invalidateQueries({ queryKey: studioKeys.videos });
    void queryClient.invalidateQueries({ queryKey: videoKeys.video(videoId) });
    void queryClient.invalidateQueries({ queryKey: keyRoots.videoLists });
    void queryClient.invalidateQueries({ queryKey: studioKeys.quota });
  };

  const remove = useMutation({
    mutationFn: (video: Video) => videosApi.deleteVideo(video.id),
    onSuccess: (_result, video) => {
      setDeleting(null);
      toast.show(`Deleted “${video.title}”`);
      queryClient.setQueryData<{ pages: StudioVideoPage[]; pageParams: unknown[] }>([...studioKeys.videos, filters], (data) =>
        data ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== video.id) })) } : data,
      );
      refreshAfterChange(video.id);
    },
  });
  const retry = useMutation({
    mutationFn: (video: Video) => videosApi.retryVideo(video.id),
    onSuccess: (_result, video) => {
      toast.show(`Processing “${video.title}” again`);
      refreshAfterChange(video.id);
    },
    onError: (error) => toast.show(describeError(error)),
  });

  if (videos.isPending && !videos.data) return <PageLoading />;
  if (videos.isError) return <ErrorMessage message={describeError(videos.error)} onRetry={() => void videos.refetch()} />;
  const channelList = channels.data?.items ?? [];

  return (
    <div className="page">
      <div className="studio-header">
        <h1>Channel content</h1>
        <div className="studio-header-actions">
          <Link to="/channels/mine" className="button button-secondary">
            <Icon name="subscriptions" /> My channels
          </Link>
          {channelList[0] ? (
            <Link
              to={`/studio/analytics/channel/${channelList.find((channel) => channel.id === filters.channelId)?.handle ?? channelList[0].handle}`}
              className="button button-secondary"
            >
              Channel analytics
            </Link>
          ) : null}
          <Link to="/upload" className="button button-primary">
            <Icon name="upload" /> Upload video
          </Link>
        </div>
      </div>
      <QuotaMeter />
      <StudioToolbar params={searchParams} onChange={(next) => setSearchParams(next, { replace: true })} channels={channelList} total={total} />
      {selected.size > 0 ? (
        <BulkActions
          ids={[...selected]}
          playlistsQuery={playlistQueries.studioBulk()}
          onDone={(message) => {
            setSelected(new Set());
            toast.show(message);
            void queryClient.invalidateQueries({ queryKey: studioKeys.videos });
            void queryClient.invalidateQueries({ queryKey: keyRoots.videoLists });
          }}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
      {items.length === 0 ? (
        <EmptyState icon="upload" title="No videos yet">
          <p className="muted">Videos you upload appear here, with their processing status.</p>
        </EmptyState>
      ) : (
        <table className="studio-table" data-testid="studio-table">
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all videos shown"
                  checked={items.length > 0 && items.every((video) => selected.has(video.id))}
                  onChange={(event) => setSelected(event.target.checked ? new Set(items.map((video) => video.id)) : new Set())}
                />
              </th>
              <th scope="col">Video</th>
              <th scope="col">Channel</th>
              <th scope="col">Visibility</th>
              <th scope="col">Status</th>
              <th scope="col">Date</th>
              <th scope="col">Views</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((video) => (
              <StudioRow
                key={video.id}
                video={video}
                stats={stats[video.id]}
                selected={selected.has(video.id)}
                onToggle={() => toggle(video.id)}
                onEdit={() => openEditor(video)}
                onDelete={() => setDeleting(video)}
                onRetry={() => retry.mutate(video)}
                retrying={retry.isPending && retry.variables?.id === video.id}
              />
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={videos.hasNextPage} loading={videos.isFetchingNextPage} onLoadMore={() => void videos.fetchNextPage()} />
      <HeldComments />

      <Dialog open={editing !== null} title="Video details" onClose={closeEditor}>
        {editing ? (
          <EditVideoForm
            key={editing.id}
            video={editing}
            onCancel={closeEditor}
            onSaved={(updated) => {
              closeEditor();
              toast.show('Changes saved');
              refreshAfterChange(updated.id);
            }}
          />
        ) : null}
      </Dialog>

      <Dialog
        open={deleting !== null}
        title="Delete video?"
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        {deleting ? (
          <div>
            <p>
              “{deleting.title}” will be deleted permanently, with its views. <strong>This can't be undone.</strong>
            </p>
            {remove.isError ? <p className="form-error">{describeError(remove.error)}</p> : null}
            <DeleteCancelActions
              onCancel={() => setDeleting(null)}
              onDelete={() => remove.mutate(deleting)}
              deleting={remove.isPending}
              deleteLabel="Delete forever"
            />
          </div>
        ) : null}
      </Dialog>
    </div>
  );
}

interface StudioRowProps {
  video: Video;
  stats: StudioVideoStats | undefined;
  selected: boolean;
  onToggle(): void;
  onEdit(): void;
  onDelete(): void;
  onRetry(): void;
  retrying: boolean;
}

function StudioRow({ video, stats, selected, onToggle, onEdit, onDelete, onRetry, retrying }: StudioRowProps) {
  const visibility = VISIBILITY_OPTIONS.find((option) => option.value === video.visibility) ?? VISIBILITY_OPTIONS[0];
  const publishing = publishingLabel(video);
  return (
    <tr data-testid="studio-row" data-video-id={video.id} data-status={video.status}>
      <td>
        <input type="checkbox" aria-label={`Select “${video.title}”`} checked={selected} onChange={onToggle} />
      </td>
      <td>
        <div className="studio-video">
          <Thumbnail video={video} />
          <div>
            <div className="studio-video-title">
              {video.status === 'ready' || video.status === 'playable' ? <Link to={`/watch/${video.id}`}>{video.title}</Link> : video.title}
            </div>
            <div className="studio-video-description">{video.description || 'No description'}</div>
          </div>
        </div>
      </td>
      <td data-label="Channel">
        <Link to={`/channel/${video.channel.handle}`}>{video.channel.name}</Link>
      </td>
      <td data-label="Visibility">
        {publishing ? (
          <span
            className="studio-visibility"
            data-testid="publishing-state"
            title={video.scheduledAt ? new Date(video.scheduledAt).toLocaleString() : undefined}
          >
            <Icon name="lock" /> {publishing}
          </span>
        ) : visibility ? (
          <span className="studio-visibility">
            <Icon name={visibility.icon} /> {visibility.label}
          </span>
        ) : null}
      </td>
      <td data-label="Status">
        <div className="studio-status">
          <StatusChip status={video.status} progress={video.progress} />
          {video.status === 'processing' || video.status === 'playable' ? (
            <>
              <ProgressBar value={video.progress ?? 0} label={`Processing ${formatPercent(video.progress ?? 0)}`} />
              {video.status === 'playable' ? <span className="muted">Playable now; higher qualities are being added</span> : null}
              {video.rungProgress.length > 0 ? (
                <span className="muted" data-testid="rung-progress">
                  {video.rungProgress.map(formatRungProgress).join(' · ')}
                </span>
              ) : null}
              {video.etaSeconds !== null ? <span className="muted">{formatTimeRemaining(video.etaSeconds)}</span> : null}
            </>
          ) : null}
          {video.status === 'queued' && video.queuePosition !== null ? <span className="muted">Position {video.queuePosition} in line</span> : null}
          {video.status === 'awaiting_upload' ? (
            <span className="muted">
              <Link to="/upload">Select the file again</Link> to finish uploading.
            </span>
          ) : null}
          {processingStartText(video) ? (
            <span className="muted" data-testid="processing-start">
              {processingStartText(video)}
            </span>
          ) : null}
          {video.status === 'failed' && video.error ? <span className="studio-failure">{video.error}</span> : null}
        </div>
      </td>
      <td data-label="Date">{formatDate(video.publishedAt ?? video.createdAt)}</td>
      <td data-label="Views" className="studio-stats">
        <span>{video.viewCount.toLocaleString('en-US')}</span>
        {stats ? (
          <>
            <span className="muted" data-testid="studio-recent-stats" title="Last 7 days, from the player's analytics">
              7 days: {stats.viewsLast7Days.toLocaleString('en-US')} · {formatWatchTime(stats.watchSecondsLast7Days)}
            </span>
            {stats.heldComments > 0 ? <span className="studio-held">{stats.heldComments} to approve</span> : null}
          </>
        ) : null}
      </td>
      <td>
        <div className="studio-actions">
          {video.status === 'ready' ? (
            <Link className="icon-button" to={`/studio/analytics/${video.id}`} aria-label="Analytics" title={`Analytics for “${video.title}”`}>
              <Icon name="trending" />
            </Link>
          ) : null}
          <button type="button" className="icon-button" aria-label={`Edit “${video.title}”`} title="Edit" onClick={onEdit}>
            <Icon name="edit" />
          </button>
          {video.status === 'failed' ? (
            <button type="button" className="icon-button" aria-label={`Retry processing “${video.title}”`} title="Retry" onClick={onRetry} disabled={retrying}>
              <Icon name="refresh" />
            </button>
          ) : null}
          <button type="button" className="icon-button" aria-label={`Delete “${video.title}”`} title="Delete" onClick={onDelete}>
            <Icon name="delete" />
          </button>
        </div>
      </td>
    </tr>
  );
}

function EditVideoForm({ video, onCancel, onSaved }: { video: Video; onCancel(): void; onSaved(video: Video): void }) {
  const [title, setTitle] = useState(video.title);
  const [description, setDescription] = useState(video.description);
  const [visibility, setVisibility] = useState<Visibility>(video.scheduledVisibility ?? video.visibility);
  const [tagsText, setTagsText] = useState(video.tags.join(', '));
  const [commentsEnabled, setCommentsEnabled] = useState(video.commentsEnabled);
  const [holdComments, setHoldComments] = useState(video.commentsPolicy === 'held');
  const [allowDownloads, setAllowDownloads] = useState(video.allowDownloads);
  const initialWhen = video.scheduledAt ? 'schedule' : video.draft ? 'draft' : 'now';
  const [when, setWhen] = useState<'now' | 'draft' | 'schedule'>(initialWhen);
  const [publishAt, setPublishAt] = useState(video.scheduledAt ? toLocalInputValue(video.scheduledAt) : '');
  const [category, setCategory] = useState<VideoCategory | ''>(video.category ?? '');
  const [language, setLanguage] = useState(video.language ?? '');
  const [licence, setLicence] = useState<VideoLicence | ''>(video.licence ?? '');
  const [current, setCurrent] = useState(video);
  const [showErrors, setShowErrors] = useState(false);
  const [scheduleError, setScheduleError] = useState<string | undefined>(undefined);
  const tags = parseTags(tagsText);
  const errors = validateVideoDetails({ title, description, tags });
  const save = useMutation({
    mutationFn: (body: UpdateVideoBody) => videosApi.updateVideo(video.id, body),
    onSuccess: onSaved,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (Object.keys(errors).length > 0) return;
    const body: UpdateVideoBody = {};
    if (title.trim() !== video.title) body.title = title.trim();
    if (description !== video.description) body.description = description;
    if (tags.join('\n') !== video.tags.join('\n')) body.tags = tags;
    const policy: CommentsPolicy = !commentsEnabled ? 'off' : holdComments ? 'held' : 'on';
    if (policy !== video.commentsPolicy) body.commentsPolicy = policy;
    if (allowDownloads !== video.allowDownloads) body.allowDownloads = allowDownloads;
    if ((category || null) !== video.category) body.category = category || null;
    if ((language || null) !== video.language) body.language = language || null;
    if ((licence || null) !== video.licence) body.licence = licence || null;
    const wasWaiting = video.draft || video.scheduledAt !== null;
    if (when === 'schedule') {
      const at = fromLocalInputValue(publishAt);
      if (!at) {
        setScheduleError('Choose the date and time to publish at');
        return;
      }
      if (at !== video.scheduledAt || visibility !== video.scheduledVisibility) Object.assign(body, { publishAt: at, visibility });
    } else if (when === 'draft') {
      if (!video.draft || visibility !== video.scheduledVisibility) Object.assign(body, { draft: true, ...(visibility !== 'private' ? { visibility } : {}) });
    } else if (wasWaiting) {
      Object.assign(body, { draft: false, visibility });
    } else if (visibility !== video.visibility) {
      body.visibility = visibility;
    }
    if (Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    save.mutate(body);
  };

  return (
    <form onSubmit={submit} noValidate data-testid="edit-video-form">
      {save.isError ? (
        <p className="form-error" role="alert">
          {describeError(save.error)}
        </p>
      ) : null}
      <Field label="Title (required)" error={showErrors ? errors.title : undefined} counter={`${title.trim().length}/${TITLE_MAX_LENGTH}`}>
        {(control) => <input {...control} name="title" value={title} onChange={(event) => setTitle(event.target.value)} />}
      </Field>
      <Field label="Description" error={showErrors ? errors.description : undefined} counter={`${description.length}/${DESCRIPTION_MAX_LENGTH}`}>
        {(control) => <textarea {...control} name="description" value={description} onChange={(event) => setDescription(event.target.value)} />}
      </Field>
      <Field label="Publishing">
        {(control) => (
          <select {...control} name="when" value={when} onChange={(event) => setWhen(event.target.value as 'now' | 'draft' | 'schedule')}>
            <option value="now">Published</option>
            <option value="draft">Draft — private until I publish it</option>
            <option value="schedule">Scheduled — published at a set time</option>
          </select>
        )}
      </Field>
      {when === 'schedule' ? (
        <Field label="Publish at" hint="Your local time. Until then only you can see the video; subscribers are told when it goes live." error={scheduleError}>
          {(control) => (
            <input {...control} type="datetime-local" step={1} name="publishAt" value={publishAt} onChange={(event) => setPublishAt(event.target.value)} />
          )}
        </Field>
      ) : null}
      <Field label="Visibility" hint={when === 'now' ? undefined : 'What the video becomes when it is published'}>
        {(control) => <VisibilitySelect {...control} value={visibility} onChange={setVisibility} />}
      </Field>
      <div className="studio-metadata">
        <Field label="Category">
          {(control) => (
            <select {...control} name="category" value={category} onChange={(event) => setCategory(event.target.value as VideoCategory | '')}>
              <option value="">None</option>
              {VIDEO_CATEGORIES.map((value) => (
                <option key={value} value={value}>
                  {CATEGORY_LABELS[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Language">
          {(control) => (
            <select {...control} name="language" value={language} onChange={(event) => setLanguage(event.target.value)}>
              <option value="">Not set</option>
              {LANGUAGE_OPTIONS.map((option) => (
                <option key={option.tag} value={option.tag}>
                  {option.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Licence">
          {(control) => (
            <select {...control} name="licence" value={licence} onChange={(event) => setLicence(event.target.value as VideoLicence | '')}>
              <option value="">Not set</option>
              {VIDEO_LICENCES.map((value) => (
                <option key={value} value={value}>
                  {LICENCE_LABELS[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Tags" hint="Separate tags with commas." error={showErrors ? errors.tags : undefined}>
        {(control) => (
          <input {...control} name="tags" value={tagsText} placeholder="music, live, tutorial" onChange={(event) => setTagsText(event.target.value)} />
        )}
      </Field>
      {tags.length > 0 ? (
        <p className="tag-preview" aria-label="Tags preview">
          {tags.map((tag) => (
            <span key={tag} className="tag-chip">
              #{tag}
            </span>
          ))}
        </p>
      ) : null}
      <label className="checkbox">
        <input type="checkbox" name="commentsEnabled" checked={commentsEnabled} onChange={(event) => setCommentsEnabled(event.target.checked)} />
        Allow comments
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          name="holdComments"
          checked={holdComments}
          disabled={!commentsEnabled}
          onChange={(event) => setHoldComments(event.target.checked)}
        />
        Hold new comments for my approval
      </label>
      <label className="checkbox">
        <input type="checkbox" name="allowDownloads" checked={allowDownloads} onChange={(event) => setAllowDownloads(event.target.checked)} />
        Allow viewers to download this video (you can always download your own videos)
      </label>
      <ThumbnailPicker video={current} onChanged={setCurrent} />
      <SaveCancelActions onCancel={onCancel} saving={save.isPending} />
    </form>
  );
}
