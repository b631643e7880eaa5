import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { UpdateVideoBody, Video } from '@tube/shared';
import { api, authClient, UPLOAD_ENDPOINT } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { Icon } from '../components/Icon.tsx';
import { useToast } from '../components/toasts.tsx';
import { QuotaMeter } from '../components/QuotaMeter.tsx';
import { ErrorMessage, Field, ProgressBar, StatusChip } from '../components/ui.tsx';
import { queryKeys } from '../api/query-keys.ts';
import { formatBytes, formatDate, formatPercent, formatTimeRemaining } from '../lib/format.ts';
import { TransferRateEstimator } from '../lib/transfer-rate.ts';
import { DESCRIPTION_MAX_LENGTH, looksLikeVideoFile, TITLE_MAX_LENGTH, titleFromFilename, validateVideoDetails } from '../lib/validation.ts';
import { STUDIO_VIDEOS_KEY } from '../pages/studio-keys.ts';
import { VisibilitySelect } from '../components/VisibilitySelect.tsx';
import { useDocumentTitle } from '../pages/use-document-title.ts';
import {
  discardUnfinishedUpload,
  listUnfinishedUploads,
  VideoUpload,
  videoIdOfPreviousUpload,
  type PreviousUpload,
  type UnfinishedUpload,
  type UploadDetails,
  type UploadHandlers,
  type UploadTarget,
} from './video-upload.ts';

type Phase = 'select' | 'details' | 'creating' | 'uploading' | 'paused' | 'failed' | 'processing';

interface Progress {
  bytesSent: number;
  bytesTotal: number;
  secondsLeft: number | null;
}

const STATUS_POLL_MS = 2000;
const EMPTY_DETAILS: UploadDetails = { title: '', description: '', visibility: 'public' };

/** An earlier, unfinished upload of the chosen file and the video it was uploading into. */
interface ResumableUpload {
  previous: PreviousUpload;
  video: Video;
}

/** The fields edited away from what the server has, or null when none were. */
function changedDetails(saved: Video, edited: UploadDetails): UpdateVideoBody | null {
  const changes: UpdateVideoBody = {};
  if (edited.title.trim() !== saved.title) changes.title = edited.title.trim();
  if (edited.description !== saved.description) changes.description = edited.description;
  if (edited.visibility !== saved.visibility) changes.visibility = edited.visibility;
  return Object.keys(changes).length > 0 ? changes : null;
}

/** The earlier upload of this file, if this browser has one and its video still waits for the file. */
async function findResumableUpload(file: File): Promise<ResumableUpload | null> {
  const previous = await VideoUpload.findPreviousUpload(file);
  const videoId = previous ? videoIdOfPreviousUpload(previous) : null;
  if (!previous || !videoId) return null;
  try {
    const video = await api.getVideo(videoId);
    return video.status === 'awaiting_upload' ? { previous, video } : null;
  } catch {
    // Deleted meanwhile, or unreachable: a fresh upload is the safe choice.
    return null;
  }
}

/** The owner's view of a video in any status: the video endpoint, or the studio list if that hides unfinished videos. */
async function fetchOwnVideo(videoId: string): Promise<Video> {
  try {
    return await api.getVideo(videoId);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    const page = await api.listStudioVideos(null);
    const video = page.items.find((item) => item.id === videoId);
    if (!video) throw error;
    return video;
  }
}

export function UploadPage() {
  useDocumentTitle('Upload video');
  const toast = useToast();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<Phase>('select');
  const [file, setFile] = useState<File | null>(null);
  const [details, setDetails] = useState<UploadDetails>(EMPTY_DETAILS);
  const [resumable, setResumable] = useState<ResumableUpload | null>(null);
  const [progress, setProgress] = useState<Progress>({ bytesSent: 0, bytesTotal: 0, secondsLeft: null });
  const [retrying, setRetrying] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [videoId, setVideoId] = useState<string | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const [chosenChannelId, setChosenChannelId] = useState<string | null>(null);
  // People with several channels pick where the video goes; the default channel otherwise.
  const myChannels = useQuery({ queryKey: queryKeys.myChannels, queryFn: api.listMyChannels, retry: false });
  const channelChoices = myChannels.data?.items ?? [];
  const channelId = chosenChannelId ?? channelChoices.find((channel) => channel.isDefault)?.id ?? null;
  const uploadRef = useRef<VideoUpload | null>(null);
  const rateRef = useRef(new TransferRateEstimator());
  /** Bumped by "choose another file"/cancel so late callbacks of an abandoned upload are ignored. */
  const attemptRef = useRef(0);

  const transferring = phase === 'uploading';
  useEffect(() => {
    if (!transferring) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [transferring]);

  // Leaving the page pauses the transfer; picking the same file later continues it.
  useEffect(() => () => uploadRef.current?.pause(), []);

  const reset = () => {
    attemptRef.current += 1;
    uploadRef.current = null;
    rateRef.current.reset();
    setPhase('select');
    setFile(null);
    setDetails(EMPTY_DETAILS);
    setResumable(null);
    setProgress({ bytesSent: 0, bytesTotal: 0, secondsLeft: null });
    setError(null);
    setVideoId(null);
    setShowErrors(false);
  };

  const chooseFile = async (chosen: File) => {
    if (!looksLikeVideoFile(chosen.name, chosen.type)) {
      setError(`“${chosen.name}” doesn't look like a video file. Choose an MP4, MOV, MKV, WebM or similar.`);
      return;
    }
    const attempt = ++attemptRef.current;
    setError(null);
    setFile(chosen);
    setDetails({ ...EMPTY_DETAILS, title: titleFromFilename(chosen.name) });
    setPhase('details');
    const found = await findResumableUpload(chosen);
    if (attempt !== attemptRef.current || !found) return;
    setResumable(found);
    setDetails({ title: found.video.title, description: found.video.description, visibility: found.video.visibility });
  };

  const handlersFor = (attempt: number): UploadHandlers => {
    const current = () => attempt === attemptRef.current;
    return {
      onProgress: (bytesSent, bytesTotal) => {
        if (!current()) return;
        rateRef.current.sample(bytesSent, performance.now());
        setRetrying(false);
        setProgress({ bytesSent, bytesTotal, secondsLeft: rateRef.current.secondsRemaining(bytesSent, bytesTotal) });
      },
      onRetrying: () => {
        if (current()) setRetrying(true);
      },
      onSuccess: () => {
        if (!current()) return;
        setPhase('processing');
        void queryClient.invalidateQueries({ queryKey: STUDIO_VIDEOS_KEY });
        void queryClient.invalidateQueries({ queryKey: queryKeys.quota });
      },
      onError: (message) => {
        if (!current()) return;
        setError(message);
        setPhase('failed');
      },
    };
  };

  /**
   * The video's details go to POST /api/v1/videos, which answers with the video id the tus
   * upload must name; when continuing an earlier upload the video exists and edits are PATCHed.
   */
  const prepareTarget = async (chosen: File): Promise<UploadTarget> => {
    const title = details.title.trim();
    if (resumable) {
      const changes = changedDetails(resumable.video, details);
      if (changes) await api.updateVideo(resumable.video.id, changes);
      return { videoId: resumable.video.id, title, endpoint: UPLOAD_ENDPOINT };
    }
    const created = await api.createVideo({
      title,
      description: details.description,
      visibility: details.visibility,
      ...(channelChoices.length > 1 && channelId ? { channelId } : {}),
    });
    if (chosen.size > created.upload.maxBytes) {
      await api.deleteVideo(created.id).catch(() => undefined);
      throw new Error(`This file is ${formatBytes(chosen.size)}; this server accepts up to ${formatBytes(created.upload.maxBytes)}.`);
    }
    return { videoId: created.id, title, endpoint: created.upload.url };
  };

  const startUpload = async (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!file || Object.keys(validateVideoDetails({ ...details, tags: [] })).length > 0) return;
    const attempt = attemptRef.current;
    setError(null);
    setPhase('creating');
    let target: UploadTarget;
    try {
      target = await prepareTarget(file);
    } catch (caught) {
      if (attempt !== attemptRef.current) return;
      setError(describeError(caught));
      setPhase('details');
      return;
    }
    if (attempt !== attemptRef.current) return;
    setVideoId(target.videoId);
    const upload = new VideoUpload(file, target, handlersFor(attempt), authClient, resumable?.previous ?? null);
    uploadRef.current = upload;
    rateRef.current.reset();
    setProgress({ bytesSent: 0, bytesTotal: file.size, secondsLeft: null });
    setPhase('uploading');
    upload.start();
  };

  const pause = () => {
    uploadRef.current?.pause();
    setPhase('paused');
    setRetrying(false);
  };

  const resume = () => {
    setError(null);
    rateRef.current.reset();
    setPhase('uploading');
    uploadRef.current?.resume();
  };

  const cancel = async () => {
    const upload = uploadRef.current;
    const abandonedVideoId = videoId;
    reset();
    await upload?.cancel();
    if (abandonedVideoId) await api.deleteVideo(abandonedVideoId).catch(() => undefined);
    toast.show('Upload cancelled');
  };

  if (phase === 'select') {
    return (
      <div className="page upload-page">
        <h1>Upload video</h1>
        {error ? <ErrorMessage message={error} /> : null}
        <DropZone onFile={(chosen) => void chooseFile(chosen)} />
        <QuotaMeter />
        <UnfinishedUploads />
      </div>
    );
  }

  const titleError = showErrors ? validateVideoDetails({ ...details, tags: [] }).title : undefined;
  const percent = progress.bytesTotal > 0 ? progress.bytesSent / progress.bytesTotal : 0;
  const editable = phase === 'details' || phase === 'creating';

  return (
    <div className="page upload-page">
      <h1>{phase === 'processing' ? 'Upload complete' : editable ? 'Details' : 'Uploading'}</h1>
      {editable && error ? <ErrorMessage message={error} /> : null}
      {!editable ? (
        <section className="upload-status" aria-label="Upload progress" data-testid="upload-status" data-phase={phase}>
          <div className="upload-status-line">
            <strong>
              {phase === 'processing'
                ? 'Uploaded'
                : phase === 'paused'
                  ? `Paused at ${formatPercent(percent)}`
                  : phase === 'failed'
                    ? `Stopped at ${formatPercent(percent)}`
                    : retrying
                      ? 'Connection lost, retrying…'
                      : `Uploading ${formatPercent(percent)}`}
            </strong>
            <span className="muted">
              {formatBytes(progress.bytesSent)} of {formatBytes(progress.bytesTotal || (file?.size ?? 0))}
              {phase === 'uploading' && progress.secondsLeft !== null ? ` · ${formatTimeRemaining(progress.secondsLeft)}` : ''}
            </span>
          </div>
          <ProgressBar value={phase === 'processing' ? 1 : percent} label="Upload progress" />
          {error ? <ErrorMessage message={error} /> : null}
          {phase === 'processing' && videoId ? <ProcessingStatus videoId={videoId} /> : null}
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
              <button type="button" className="button button-text" onClick={() => void cancel()}>
                Cancel upload
              </button>
            ) : (
              <button type="button" className="button button-secondary" onClick={reset}>
                Upload another video
              </button>
            )}
          </div>
        </section>
      ) : null}

      <div className="upload-layout">
        <form onSubmit={(event) => void startUpload(event)} noValidate data-testid="upload-form">
          {resumable && editable ? (
            <p className="upload-note" data-testid="resume-note">
              You started uploading this file on {formatDate(resumable.previous.creationTime)}. It will continue where it stopped.
            </p>
          ) : null}
          <Field label="Title (required)" error={titleError} counter={`${details.title.trim().length}/${TITLE_MAX_LENGTH}`}>
            {(control) => (
              <input
                {...control}
                name="title"
                value={details.title}
                disabled={phase !== 'details'}
                onChange={(event) => setDetails((current) => ({ ...current, title: event.target.value }))}
              />
            )}
          </Field>
          <Field label="Description">
            {(control) => (
              <textarea
                {...control}
                name="description"
                value={details.description}
                disabled={phase !== 'details'}
                maxLength={DESCRIPTION_MAX_LENGTH}
                placeholder="Tell viewers about your video"
                onChange={(event) => setDetails((current) => ({ ...current, description: event.target.value }))}
              />
            )}
          </Field>
          <Field label="Visibility">
            {(control) => (
              <VisibilitySelect
                {...control}
                value={details.visibility}
                disabled={phase !== 'details'}
                onChange={(visibility) => setDetails((current) => ({ ...current, visibility }))}
              />
            )}
          </Field>
          {channelChoices.length > 1 && !resumable ? (
            <Field label="Channel">
              {(control) => (
                <select {...control} name="channel" value={channelId ?? ''} disabled={phase !== 'details'} onChange={(event) => setChosenChannelId(event.target.value)}>
                  {channelChoices.map((channel) => (
                    <option key={channel.id} value={channel.id}>
                      {channel.name} (@{channel.handle})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : null}
          {editable ? (
            <div className="form-actions">
              <button type="button" className="button button-text" onClick={reset}>
                Choose another file
              </button>
              <button type="submit" className="button button-primary" disabled={phase === 'creating'}>
                <Icon name="upload" /> {phase === 'creating' ? 'Starting…' : resumable ? 'Resume upload' : 'Upload'}
              </button>
            </div>
          ) : (
            <p className="muted">
              You can change these details in <Link to="/studio">Studio</Link> at any time.
            </p>
          )}
        </form>
        <aside className="upload-side" aria-label="File">
          <dl>
            <dt>File name</dt>
            <dd>{file?.name}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(file?.size ?? 0)}</dd>
            {videoId ? (
              <>
                <dt>Video link</dt>
                <dd>
                  <Link to={`/watch/${videoId}`}>{`${window.location.origin}/watch/${videoId}`}</Link>
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

function ProcessingStatus({ videoId }: { videoId: string }) {
  const video = useQuery({
    queryKey: ['video', videoId],
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
  else if (status === 'queued') message = queuePosition !== null ? `Waiting for a transcoding worker (position ${queuePosition}).` : 'Waiting for a transcoding worker…';
  else if (status === 'awaiting_upload') message = 'Finishing the upload…';
  else message = `Creating the different qualities${etaSeconds !== null ? `, ${formatTimeRemaining(etaSeconds)}` : ''}. You can leave this page; processing continues.`;
  return (
    <div className="processing-status" data-testid="processing-status" data-status={status}>
      <p>
        <StatusChip status={status} progress={progress} /> {message}
      </p>
      {status === 'processing' ? <ProgressBar value={progress ?? 0} label="Processing progress" /> : null}
      <p>
        {status === 'ready' ? (
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
