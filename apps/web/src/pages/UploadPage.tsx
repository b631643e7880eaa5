import { useCallback, useEffect, useReducer, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import type { Channel, Video } from '@tube/shared';
import { authClient } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { Icon } from '../components/Icon.tsx';
import { useToast } from '../components/toasts.tsx';
import { QuotaMeter } from '../features/studio/QuotaMeter.tsx';
import { ErrorMessage, Field, ProgressBar, StatusChip } from '../components/ui.tsx';
import { formatBytes, formatDate, formatPercent, formatTimeRemaining } from '../lib/format.ts';
import { TransferRateEstimator } from '../lib/transfer-rate.ts';
import { processingStartText } from '../lib/processing-start.ts';
import { DESCRIPTION_MAX_LENGTH, looksLikeVideoFile, parseTags, TITLE_MAX_LENGTH, titleFromFilename, validateVideoDetails } from '../lib/validation.ts';
import { VisibilitySelect } from '../components/VisibilitySelect.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import {
  discardUnfinishedUpload,
  listUnfinishedUploads,
  VideoUpload,
  videoIdOfPreviousUpload,
  type PreviousUpload,
  type UnfinishedUpload,
  type UploadHandlers,
  type UploadTarget,
} from '../features/upload/video-upload.ts';
import {
  detailChanges,
  initialUploadState,
  isTransferring,
  sizeLimitMessage,
  uploadFraction,
  uploadReducer,
  type EditableDetails,
} from '../features/upload/upload-state.ts';
import { channelQueries } from '../features/channels/api.ts';
import { studioApi, studioKeys, studioQueries } from '../features/studio/api.ts';
import { UPLOAD_ENDPOINT, uploadApi } from '../features/upload/api.ts';
import { videoKeys, videosApi } from '../features/videos/api.ts';
import './upload.css';

const STATUS_POLL_MS = 2000;
/** Edits are saved this long after the last keystroke (and at once with "Save details"). */
const AUTOSAVE_DELAY_MS = 800;

/** An earlier, unfinished upload of the chosen file and the video it was uploading into. */
interface ResumableUpload {
  previous: PreviousUpload;
  video: Video;
}

/** The channel named by `?channel=` (id or handle) when it is one of mine, else my default channel. */
function preselectChannel(channels: readonly Channel[], requested: string | null): string | null {
  return (channels.find((channel) => channel.id === requested || channel.handle === requested) ?? channels.find((channel) => channel.isDefault))?.id ?? null;
}

const detailsOf = (video: Video): EditableDetails => ({
  title: video.title,
  description: video.description,
  visibility: video.visibility,
  tagsText: video.tags.join(', '),
  channelId: video.channel.id,
});

/** The earlier upload of this file, if this browser has one and its video still waits for the file. */
async function findResumableUpload(file: File): Promise<ResumableUpload | null> {
  const previous = await VideoUpload.findPreviousUpload(file);
  const videoId = previous ? videoIdOfPreviousUpload(previous) : null;
  if (!previous || !videoId) return null;
  try {
    const video = await videosApi.getVideo(videoId);
    return video.status === 'awaiting_upload' ? { previous, video } : null;
  } catch {
    // Deleted meanwhile, or unreachable: a fresh upload is the safe choice.
    return null;
  }
}

/** The owner's view of a video in any status: the video endpoint, or the studio list if that hides unfinished videos. */
async function fetchOwnVideo(videoId: string): Promise<Video> {
  try {
    return await videosApi.getVideo(videoId);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    const page = await studioApi.listStudioVideos(null);
    const video = page.items.find((item) => item.id === videoId);
    if (!video) throw error;
    return video;
  }
}

export function UploadPage() {
  useDocumentTitle('Upload video');
  const toast = useToast();
  const queryClient = useQueryClient();
  const [state, dispatch] = useReducer(uploadReducer, initialUploadState);
  const stateRef = useRef(state);
  stateRef.current = state;
  const [details, setDetails] = useState<EditableDetails>({ title: '', description: '', visibility: 'public', tagsText: '', channelId: null });
  const detailsRef = useRef(details);
  detailsRef.current = details;
  const [resumable, setResumable] = useState<ResumableUpload | null>(null);
  // People with several channels pick where the video goes; the default channel otherwise.
  const myChannels = useQuery({ ...channelQueries.myChannels(), retry: false });
  const channelChoices = myChannels.data?.items ?? [];
  // "Upload a video" on a channel page names that channel (?channel=<id or handle>).
  const [searchParams] = useSearchParams();
  const requestedChannel = searchParams.get('channel');
  const requested = channelChoices.find((channel) => channel.id === requestedChannel || channel.handle === requestedChannel);
  const preselectedChannelId = preselectChannel(channelChoices, requestedChannel);
  const quota = useQuery({ ...studioQueries.quota(), retry: false });
  const maxFileBytes = quota.data?.maxFileBytes ?? null;
  const fileRef = useRef<File | null>(null);
  const uploadRef = useRef<VideoUpload | null>(null);
  const rateRef = useRef(new TransferRateEstimator());
  /** What the video has on the server, to send only what was edited. */
  const savedRef = useRef<EditableDetails | null>(null);
  /** Saves run one after another. */
  const savingRef = useRef<Promise<void>>(Promise.resolve());

  // The channel list arrives after the page: the preselected channel fills in until the person picks one.
  useEffect(() => {
    if (preselectedChannelId && details.channelId === null) setDetails((current) => ({ ...current, channelId: current.channelId ?? preselectedChannelId }));
  }, [preselectedChannelId, details.channelId]);

  const transferring = isTransferring(state);
  useEffect(() => {
    if (!transferring) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [transferring]);

  // Leaving the page pauses the transfer; picking the same file later continues it.
  useEffect(() => () => uploadRef.current?.pause(), []);

  // Offline: the transfer stops and waits; back online, tus asks the server for its offset and continues.
  useEffect(() => {
    const offline = () => {
      if (stateRef.current.phase !== 'uploading') return;
      uploadRef.current?.pause();
      dispatch({ type: 'went-offline' });
    };
    const online = () => {
      if (stateRef.current.phase !== 'offline') return;
      rateRef.current.reset();
      dispatch({ type: 'came-online' });
      uploadRef.current?.resume();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, []);

  const handlersFor = (attempt: number): UploadHandlers => ({
    onProgress: (bytesSent, bytesTotal) => {
      if (attempt !== stateRef.current.attempt) return;
      rateRef.current.sample(bytesSent, performance.now());
      dispatch({ type: 'progress', attempt, bytesSent, bytesTotal, secondsLeft: rateRef.current.secondsRemaining(bytesSent, bytesTotal) });
    },
    onRetrying: () => dispatch({ type: 'retrying', attempt }),
    onSuccess: () => {
      dispatch({ type: 'succeeded', attempt });
      void queryClient.invalidateQueries({ queryKey: studioKeys.videos });
      void queryClient.invalidateQueries({ queryKey: studioKeys.quota });
    },
    onError: (message) => {
      const offline = navigator.onLine === false;
      dispatch({ type: 'upload-failed', attempt, message, offline });
      // Went offline between the check and the event: the online listener resumes it.
    },
  });

  const startTransfer = (file: File, attempt: number, target: UploadTarget, previous: PreviousUpload | null) => {
    const upload = new VideoUpload(file, target, handlersFor(attempt), authClient, previous);
    uploadRef.current = upload;
    rateRef.current.reset();
    upload.start();
    if (navigator.onLine === false) {
      upload.pause();
      dispatch({ type: 'went-offline' });
    }
  };

  /** Creates the video (title from the file name, the preselected channel) and sends the file at once. */
  const createAndUpload = async (file: File, attempt: number) => {
    const initial = detailsRef.current;
    // Chosen before the channel list arrived: wait for it, so the video goes to the preselected channel.
    const channels = myChannels.data?.items ?? (await queryClient.fetchQuery(channelQueries.myChannels()).catch(() => null))?.items ?? [];
    const channelId = initial.channelId ?? preselectChannel(channels, requestedChannel);
    const body = {
      title: initial.title.trim() || titleFromFilename(file.name) || 'Untitled video',
      description: initial.description,
      visibility: initial.visibility,
      tags: parseTags(initial.tagsText),
      ...(channelId ? { channelId } : {}),
    };
    try {
      const created = await uploadApi.createVideo(body);
      if (file.size > created.upload.maxBytes) {
        await videosApi.deleteVideo(created.id).catch(() => undefined);
        throw new Error(`“${file.name}” is ${formatBytes(file.size)}; this server accepts files up to ${formatBytes(created.upload.maxBytes)}.`);
      }
      if (attempt !== stateRef.current.attempt) {
        await videosApi.deleteVideo(created.id).catch(() => undefined);
        return;
      }
      savedRef.current = { ...body, tagsText: body.tags.join(', '), channelId: channelId ?? null };
      dispatch({ type: 'created', attempt, videoId: created.id });
      startTransfer(file, attempt, { videoId: created.id, title: body.title, endpoint: created.upload.url }, null);
      void queryClient.invalidateQueries({ queryKey: studioKeys.videos });
    } catch (caught) {
      dispatch({ type: 'create-failed', attempt, message: describeError(caught) });
    }
  };

  const chooseFile = async (chosen: File) => {
    if (!looksLikeVideoFile(chosen.name, chosen.type)) {
      dispatch({ type: 'file-refused', message: `“${chosen.name}” doesn't look like a video file. Choose an MP4, MOV, MKV, WebM or similar.` });
      return;
    }
    const tooLarge = sizeLimitMessage(chosen, maxFileBytes, formatBytes);
    if (tooLarge) {
      dispatch({ type: 'file-refused', message: tooLarge });
      return;
    }
    if (stateRef.current.phase !== 'picking') return;
    const found = await findResumableUpload(chosen);
    const attempt = stateRef.current.attempt + 1;
    fileRef.current = chosen;
    savedRef.current = null;
    setResumable(found);
    setDetails((current) => (found ? detailsOf(found.video) : { ...current, title: titleFromFilename(chosen.name) }));
    dispatch({ type: 'file-chosen', file: { name: chosen.name, size: chosen.size }, resumable: found !== null });
    if (!found) {
      detailsRef.current = { ...detailsRef.current, title: titleFromFilename(chosen.name) };
      await createAndUpload(chosen, attempt);
    }
  };

  const continueEarlierUpload = () => {
    const file = fileRef.current;
    if (!file || !resumable) return;
    savedRef.current = detailsOf(resumable.video);
    dispatch({ type: 'resume-accepted', videoId: resumable.video.id });
    startTransfer(file, state.attempt, { videoId: resumable.video.id, title: resumable.video.title, endpoint: UPLOAD_ENDPOINT }, resumable.previous);
  };

  const uploadAsNewVideo = () => {
    const file = fileRef.current;
    if (!file) return;
    setResumable(null);
    dispatch({ type: 'fresh-start' });
    void createAndUpload(file, state.attempt);
  };

  /** Sends what was edited since the last save: a PATCH for the details, a PUT for a new channel. */
  const saveDetails = (explicit: boolean) => {
    const run = async () => {
      const videoId = stateRef.current.videoId;
      const saved = savedRef.current;
      const edited = detailsRef.current;
      if (!videoId || !saved) return;
      if (Object.keys(validateVideoDetails({ title: edited.title, description: edited.description, tags: parseTags(edited.tagsText) })).length > 0) {
        dispatch({ type: 'show-errors' });
        return;
      }
      const { patch, channelId } = detailChanges(saved, edited, parseTags);
      if (!patch && !channelId) {
        if (explicit) toast.show('No changes to save');
        return;
      }
      dispatch({ type: 'save-started' });
      try {
        let latest = patch ? await videosApi.updateVideo(videoId, patch) : null;
        if (channelId) latest = await videosApi.moveVideo(videoId, channelId);
        // The processing status (and a watch page opened next) read this video from the query cache.
        if (latest) queryClient.setQueryData(videoKeys.video(videoId), latest);
        if (videoId !== stateRef.current.videoId) return;
        savedRef.current = edited;
        dispatch({ type: 'save-succeeded' });
        if (explicit) toast.show('Details saved');
        void queryClient.invalidateQueries({ queryKey: studioKeys.videos });
      } catch (caught) {
        dispatch({ type: 'save-failed' });
        toast.show(describeError(caught));
      }
    };
    savingRef.current = savingRef.current.then(run, run);
    return savingRef.current;
  };

  // Edits are saved by themselves shortly after typing stops, once the video exists.
  useEffect(() => {
    if (!state.videoId || !savedRef.current) return;
    const timer = window.setTimeout(() => void saveDetails(false), AUTOSAVE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [details, state.videoId]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    dispatch({ type: 'show-errors' });
    void saveDetails(true);
  };

  const pause = () => {
    uploadRef.current?.pause();
    dispatch({ type: 'pause' });
  };

  const resume = () => {
    rateRef.current.reset();
    dispatch({ type: 'resume' });
    uploadRef.current?.resume();
  };

  const reset = () => {
    uploadRef.current = null;
    fileRef.current = null;
    savedRef.current = null;
    rateRef.current.reset();
    setResumable(null);
    setDetails({ title: '', description: '', visibility: 'public', tagsText: '', channelId: null });
    dispatch({ type: 'reset' });
  };

  const cancel = async () => {
    const upload = uploadRef.current;
    const abandonedVideoId = state.videoId;
    reset();
    await upload?.cancel();
    if (abandonedVideoId) await videosApi.deleteVideo(abandonedVideoId).catch(() => undefined);
    void queryClient.invalidateQueries({ queryKey: studioKeys.videos });
    toast.show('Upload cancelled');
  };

  const { phase } = state;
  if (phase === 'picking') {
    return (
      <div className="page upload-page">
        <h1>Upload video</h1>
        {state.error ? <ErrorMessage message={state.error} /> : null}
        <DropZone onFile={(chosen) => void chooseFile(chosen)} />
        {maxFileBytes !== null ? (
          <p className="muted" data-testid="upload-size-limit">
            Files up to {formatBytes(maxFileBytes)}.
          </p>
        ) : null}
        {requested && channelChoices.length > 1 ? <p className="muted">Uploading to {requested.name}.</p> : null}
        <QuotaMeter />
        <UnfinishedUploads />
      </div>
    );
  }

  const { secondsLeft, showErrors, saveStatus: saving } = state;
  const errors = showErrors ? validateVideoDetails({ title: details.title, description: details.description, tags: parseTags(details.tagsText) }) : {};
  const percent = uploadFraction(state);
  const file = state.file;

  return (
    <div className="page upload-page">
      <h1>{phase === 'processing' ? 'Upload complete' : phase === 'offered' ? 'Continue upload?' : 'Uploading'}</h1>
      {phase === 'offered' && resumable ? (
        <section className="upload-note" data-testid="resume-note">
          <p>You started uploading this file on {formatDate(resumable.previous.creationTime)}. It will continue where it stopped.</p>
          <div className="form-actions">
            <button type="button" className="button button-text" onClick={reset}>
              Choose another file
            </button>
            <button type="button" className="button button-secondary" onClick={uploadAsNewVideo}>
              Upload as a new video
            </button>
            <button type="button" className="button button-primary" onClick={continueEarlierUpload}>
              <Icon name="upload" /> Resume upload
            </button>
          </div>
        </section>
      ) : (
        <section className="upload-status" aria-label="Upload progress" data-testid="upload-status" data-phase={phase}>
          <div className="upload-status-line">
            <strong>
              {phase === 'processing'
                ? 'Uploaded'
                : phase === 'creating'
                  ? 'Starting the upload…'
                  : phase === 'paused'
                    ? `Paused at ${formatPercent(percent)}`
                    : phase === 'offline'
                      ? `Offline at ${formatPercent(percent)}: the upload continues when the connection returns`
                      : phase === 'failed'
                        ? `Stopped at ${formatPercent(percent)}`
                        : state.retrying
                          ? 'Connection lost, retrying…'
                          : `Uploading ${formatPercent(percent)}`}
            </strong>
            <span className="muted">
              {formatBytes(state.bytesSent)} of {formatBytes(state.bytesTotal || (file?.size ?? 0))}
              {phase === 'uploading' && secondsLeft !== null ? ` · ${formatTimeRemaining(secondsLeft)}` : ''}
            </span>
          </div>
          <ProgressBar value={percent} label="Upload progress" />
          {state.error ? <ErrorMessage message={state.error} /> : null}
          {phase === 'processing' && state.videoId ? <ProcessingStatus videoId={state.videoId} /> : null}
          {phase !== 'processing' && phase !== 'creating' && state.videoId ? <ProcessingStartNote videoId={state.videoId} /> : null}
          <div className="form-actions">
            {phase === 'uploading' ? (
              <button type="button" className="button button-secondary" onClick={pause}>
                Pause
              </button>
            ) : null}
            {phase === 'paused' || phase === 'failed' ? (
              <button type="button" className="button button-primary" onClick={resume}>
                Resume
              </button>
            ) : null}
            {phase !== 'processing' ? (
              <button type="button" className="button button-text" onClick={() => void cancel()} disabled={phase === 'creating'}>
                Cancel upload
              </button>
            ) : (
              <button type="button" className="button button-secondary" onClick={reset}>
                Upload another video
              </button>
            )}
          </div>
        </section>
      )}

      <div className="upload-layout">
        <form onSubmit={onSubmit} noValidate data-testid="upload-form">
          <Field label="Title (required)" error={errors.title} counter={`${details.title.trim().length}/${TITLE_MAX_LENGTH}`}>
            {(control) => (
              <input
                {...control}
                name="title"
                value={details.title}
                onChange={(event) => setDetails((current) => ({ ...current, title: event.target.value }))}
              />
            )}
          </Field>
          <Field label="Description" error={errors.description}>
            {(control) => (
              <textarea
                {...control}
                name="description"
                value={details.description}
                maxLength={DESCRIPTION_MAX_LENGTH}
                placeholder="Tell viewers about your video"
                onChange={(event) => setDetails((current) => ({ ...current, description: event.target.value }))}
              />
            )}
          </Field>
          <Field label="Tags" error={errors.tags}>
            {(control) => (
              <input
                {...control}
                name="tags"
                value={details.tagsText}
                placeholder="Separated by commas"
                onChange={(event) => setDetails((current) => ({ ...current, tagsText: event.target.value }))}
              />
            )}
          </Field>
          <Field label="Visibility">
            {(control) => (
              <VisibilitySelect {...control} value={details.visibility} onChange={(visibility) => setDetails((current) => ({ ...current, visibility }))} />
            )}
          </Field>
          {channelChoices.length > 1 ? (
            <Field label="Channel">
              {(control) => (
                <select
                  {...control}
                  name="channel"
                  value={details.channelId ?? preselectedChannelId ?? ''}
                  onChange={(event) => setDetails((current) => ({ ...current, channelId: event.target.value }))}
                >
                  {channelChoices.map((channel) => (
                    <option key={channel.id} value={channel.id}>
                      {channel.name} (@{channel.handle})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : null}
          <div className="form-actions">
            <p className="muted" data-testid="details-save-state" data-state={saving}>
              {saving === 'saving'
                ? 'Saving…'
                : saving === 'saved'
                  ? 'Saved to the video.'
                  : saving === 'failed'
                    ? 'Not saved; try again.'
                    : 'Changes are saved to the video as you type; also later in '}
              {saving === 'idle' ? <Link to="/studio">Studio</Link> : null}
            </p>
            <button type="submit" className="button button-secondary" disabled={!state.videoId || saving === 'saving'} data-testid="save-details">
              {saving === 'saving' ? 'Saving…' : 'Save details'}
            </button>
          </div>
        </form>
        <aside className="upload-side" aria-label="File">
          <dl>
            <dt>File name</dt>
            <dd>{file?.name}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(file?.size ?? 0)}</dd>
            {state.videoId ? (
              <>
                <dt>Video link</dt>
                <dd>
                  <Link to={`/watch/${state.videoId}`}>{`${window.location.origin}/watch/${state.videoId}`}</Link>
                </dd>
              </>
            ) : null}
          </dl>
        </aside>
      </div>
    </div>
  );
}

function DropZone({ onFile }: { onFile: (file: File) => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped) onFile(dropped);
  };
  return (
    <div
      className="dropzone"
      data-dragging={dragging || undefined}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="dropzone-icon">
        <Icon name="upload" size={64} />
      </div>
      <p>
        <strong>Drag and drop a video file to upload</strong>
      </p>
      <p className="muted">Large files are sent in pieces; if the connection drops, the upload continues where it stopped.</p>
      <button type="button" className="button button-primary" onClick={() => inputRef.current?.click()}>
        Select file
      </button>
      <input
        ref={inputRef}
        className="visually-hidden"
        type="file"
        accept="video/*,.mkv,.mts,.m2ts"
        tabIndex={-1}
        aria-label="Video file"
        data-testid="file-input"
        onChange={(event) => {
          const chosen = event.target.files?.[0];
          if (chosen) onFile(chosen);
          event.target.value = '';
        }}
      />
    </div>
  );
}

function UnfinishedUploads() {
  const [uploads, setUploads] = useState<UnfinishedUpload[]>([]);
  const load = useCallback(() => void listUnfinishedUploads().then(setUploads), []);
  useEffect(load, [load]);
  if (uploads.length === 0) return null;
  return (
    <section className="unfinished-uploads" aria-labelledby="unfinished-heading">
      <h2 id="unfinished-heading">Unfinished uploads</h2>
      <p className="muted">Select the same file again to continue one of these.</p>
      <ul>
        {uploads.map((upload) => (
          <li key={upload.storageKey}>
            <div>
              <div>{upload.title}</div>
              <div className="muted">
                {upload.filename}
                {upload.size ? ` · ${formatBytes(upload.size)}` : ''} · started {formatDate(upload.startedAt)}
              </div>
            </div>
            <button type="button" className="button button-text" onClick={() => void discardUnfinishedUpload(upload, authClient).then(load)}>
              Discard
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** While the file is still going up: whether processing has already started on the parts that arrived. */
function ProcessingStartNote({ videoId }: { videoId: string }) {
  const video = useQuery({
    queryKey: videoKeys.video(videoId),
    queryFn: () => fetchOwnVideo(videoId),
    refetchInterval: (query) => (query.state.data?.processingStart ? false : STATUS_POLL_MS),
  });
  const text = video.data ? processingStartText(video.data) : null;
  return text ? (
    <p className="muted" data-testid="processing-start" aria-live="polite">
      {text}
    </p>
  ) : null;
}

function ProcessingStatus({ videoId }: { videoId: string }) {
  const video = useQuery({
    queryKey: videoKeys.video(videoId),
    queryFn: () => fetchOwnVideo(videoId),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === 'ready' || status === 'failed' ? false : STATUS_POLL_MS;
    },
  });
  if (video.isError) return <ErrorMessage message={describeError(video.error)} onRetry={() => void video.refetch()} />;
  if (!video.data) return <p className="muted">Checking processing status…</p>;
  const { status, progress, error, etaSeconds, queuePosition } = video.data;
  let message: string;
  if (status === 'ready') message = 'Your video is ready to watch.';
  else if (status === 'failed') message = error ?? 'Processing failed.';
  else if (status === 'queued')
    message = queuePosition !== null ? `Waiting for a transcoding worker (position ${queuePosition}).` : 'Waiting for a transcoding worker…';
  else if (status === 'awaiting_upload') message = 'Finishing the upload…';
  else if (status === 'playable')
    message = `Playable now; higher qualities are on their way${etaSeconds !== null ? ` (${formatTimeRemaining(etaSeconds)})` : ''}.`;
  else
    message = `Creating the different qualities${etaSeconds !== null ? `, ${formatTimeRemaining(etaSeconds)}` : ''}. You can leave this page; processing continues.`;
  const startText = processingStartText(video.data);
  if (startText && status === 'queued') message = `${message} ${startText}`;
  return (
    <div className="processing-status" data-testid="processing-status" data-status={status}>
      <p>
        <StatusChip status={status} progress={progress} /> {message}
      </p>
      {status === 'processing' || status === 'playable' ? <ProgressBar value={progress ?? 0} label="Processing progress" /> : null}
      <p>
        {status === 'ready' || status === 'playable' ? (
          <Link to={`/watch/${videoId}`} className="button button-primary">
            <Icon name="play" /> Watch
          </Link>
        ) : null}{' '}
        <Link to="/studio" className="button button-secondary">
          Go to Studio
        </Link>
      </p>
    </div>
  );
}
