import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import type { UpdateVideoBody, Video, VideoPage, Visibility } from '@tube/shared';
import { api } from '../api/client.ts';
import { describeError } from '../api/errors.ts';
import { Icon } from '../components/Icon.tsx';
import { VISIBILITY_OPTIONS, VisibilitySelect } from '../components/VisibilitySelect.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { QuotaMeter } from '../components/QuotaMeter.tsx';
import { useToast } from '../components/toasts.tsx';
import { Thumbnail } from '../components/VideoCard.tsx';
import { Dialog, EmptyState, ErrorMessage, Field, PageLoading, ProgressBar, StatusChip, SaveCancelActions, DeleteCancelActions } from '../components/ui.tsx';
import { formatDate, formatPercent, formatTimeRemaining } from '../lib/format.ts';
import { DESCRIPTION_MAX_LENGTH, parseTags, TITLE_MAX_LENGTH, validateVideoDetails } from '../lib/validation.ts';
import { queryKeys } from '../api/query-keys.ts';
import { STUDIO_VIDEOS_KEY } from './studio-keys.ts';
import { useDocumentTitle } from './use-document-title.ts';

const IN_PROGRESS_POLL_MS = 2000;


// Not awaiting_upload: an abandoned upload would keep the page polling forever.
const isInProgress = (video: Video) => video.status === 'queued' || video.status === 'processing';

export function StudioPage() {
  useDocumentTitle('Studio');
  const [searchParams, setSearchParams] = useSearchParams();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [deleting, setDeleting] = useState<Video | null>(null);
  const videos = useInfiniteQuery({
    queryKey: STUDIO_VIDEOS_KEY,
    queryFn: ({ pageParam }) => api.listStudioVideos(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    refetchInterval: (query) => (query.state.data?.pages.some((page) => page.items.some(isInProgress)) ? IN_PROGRESS_POLL_MS : false),
  });
  const items = videos.data?.pages.flatMap((page) => page.items) ?? [];

  const editId = searchParams.get('edit');
  const editing = editId ? (items.find((video) => video.id === editId) ?? null) : null;
  const openEditor = (video: Video) => setSearchParams({ edit: video.id });
  const closeEditor = () => setSearchParams({}, { replace: true });

  const refreshAfterChange = (videoId: string) => {
    void queryClient.invalidateQueries({ queryKey: STUDIO_VIDEOS_KEY });
    void queryClient.invalidateQueries({ queryKey: ['video', videoId] });
    void queryClient.invalidateQueries({ queryKey: ['videos'] });
    void queryClient.invalidateQueries({ queryKey: queryKeys.quota });
  };

  const remove = useMutation({
    mutationFn: (video: Video) => api.deleteVideo(video.id),
    onSuccess: (_result, video) => {
      setDeleting(null);
      toast.show(`Deleted “${video.title}”`);
      queryClient.setQueryData<{ pages: VideoPage[]; pageParams: unknown[] }>(STUDIO_VIDEOS_KEY, (data) =>
        data ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== video.id) })) } : data,
      );
      refreshAfterChange(video.id);
    },
  });
  const retry = useMutation({
    mutationFn: (video: Video) => api.retryVideo(video.id),
    onSuccess: (_result, video) => {
      toast.show(`Processing “${video.title}” again`);
      refreshAfterChange(video.id);
    },
    onError: (error) => toast.show(describeError(error)),
  });

  if (videos.isPending) return <PageLoading />;
  if (videos.isError) return <ErrorMessage message={describeError(videos.error)} onRetry={() => void videos.refetch()} />;

  return (
    <div className="page">
      <div className="studio-header">
        <h1>Channel content</h1>
        <div className="studio-header-actions">
          <Link to="/channels/mine" className="button button-secondary">
            <Icon name="subscriptions" /> My channels
          </Link>
          <Link to="/upload" className="button button-primary">
            <Icon name="upload" /> Upload video
          </Link>
        </div>
      </div>
      <QuotaMeter />
      {items.length === 0 ? (
        <EmptyState icon="upload" title="No videos yet">
          <p className="muted">Videos you upload appear here, with their processing status.</p>
        </EmptyState>
      ) : (
        <table className="studio-table" data-testid="studio-table">
          <thead>
            <tr>
              <th scope="col">Video</th>
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
            <DeleteCancelActions onCancel={() => setDeleting(null)} onDelete={() => remove.mutate(deleting)} deleting={remove.isPending} deleteLabel="Delete forever" />
          </div>
        ) : null}
      </Dialog>
    </div>
  );
}

interface StudioRowProps {
  video: Video;
  onEdit(): void;
  onDelete(): void;
  onRetry(): void;
  retrying: boolean;
}

function StudioRow({ video, onEdit, onDelete, onRetry, retrying }: StudioRowProps) {
  const visibility = VISIBILITY_OPTIONS.find((option) => option.value === video.visibility) ?? VISIBILITY_OPTIONS[0];
  return (
    <tr data-testid="studio-row" data-video-id={video.id} data-status={video.status}>
      <td>
        <div className="studio-video">
          <Thumbnail video={video} />
          <div>
            <div className="studio-video-title">
              {video.status === 'ready' ? <Link to={`/watch/${video.id}`}>{video.title}</Link> : video.title}
            </div>
            <div className="studio-video-description">{video.description || 'No description'}</div>
          </div>
        </div>
      </td>
      <td data-label="Visibility">
        {visibility ? (
          <span className="studio-visibility">
            <Icon name={visibility.icon} /> {visibility.label}
          </span>
        ) : null}
      </td>
      <td data-label="Status">
        <div className="studio-status">
          <StatusChip status={video.status} progress={video.progress} />
          {video.status === 'processing' ? (
            <>
              <ProgressBar value={video.progress ?? 0} label={`Processing ${formatPercent(video.progress ?? 0)}`} />
              {video.etaSeconds !== null ? <span className="muted">{formatTimeRemaining(video.etaSeconds)}</span> : null}
            </>
          ) : null}
          {video.status === 'queued' && video.queuePosition !== null ? <span className="muted">Position {video.queuePosition} in line</span> : null}
          {video.status === 'awaiting_upload' ? (
            <span className="muted">
              <Link to="/upload">Select the file again</Link> to finish uploading.
            </span>
          ) : null}
          {video.status === 'failed' && video.error ? <span className="studio-failure">{video.error}</span> : null}
        </div>
      </td>
      <td data-label="Date">{formatDate(video.publishedAt ?? video.createdAt)}</td>
      <td data-label="Views">{video.viewCount.toLocaleString('en-US')}</td>
      <td>
        <div className="studio-actions">
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
  const [visibility, setVisibility] = useState<Visibility>(video.visibility);
  const [tagsText, setTagsText] = useState(video.tags.join(', '));
  const [commentsEnabled, setCommentsEnabled] = useState(video.commentsEnabled);
  const [showErrors, setShowErrors] = useState(false);
  const tags = parseTags(tagsText);
  const errors = validateVideoDetails({ title, description, tags });
  const save = useMutation({
    mutationFn: (body: UpdateVideoBody) => api.updateVideo(video.id, body),
    onSuccess: onSaved,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (Object.keys(errors).length > 0) return;
    const body: UpdateVideoBody = {};
    if (title.trim() !== video.title) body.title = title.trim();
    if (description !== video.description) body.description = description;
    if (visibility !== video.visibility) body.visibility = visibility;
    if (tags.join('\n') !== video.tags.join('\n')) body.tags = tags;
    if (commentsEnabled !== video.commentsEnabled) body.commentsEnabled = commentsEnabled;
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
      <Field label="Visibility">
        {(control) => <VisibilitySelect {...control} value={visibility} onChange={setVisibility} />}
      </Field>
      <Field label="Tags" hint="Separate tags with commas." error={showErrors ? errors.tags : undefined}>
        {(control) => <input {...control} name="tags" value={tagsText} placeholder="music, live, tutorial" onChange={(event) => setTagsText(event.target.value)} />}
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
      <SaveCancelActions onCancel={onCancel} saving={save.isPending} />
    </form>
  );
}
