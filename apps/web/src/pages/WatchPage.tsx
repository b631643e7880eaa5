import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { parseChapters, type CaptionTrack, type Channel, type Playback, type Video } from '@tube/shared';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth } from '../api/auth-context.tsx';
import { ActionMenu } from '../components/ActionMenu.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { LinkifiedText } from '../components/LinkifiedText.tsx';
import { SubscribeButton } from '../features/channels/SubscribeButton.tsx';
import { Avatar, ProgressBar, Spinner } from '../components/ui.tsx';
import { formatDate, formatExactViewCount, formatPercent, formatRelativeTime, formatTimeRemaining } from '../lib/format.ts';
import { nextInPlaylist } from '../lib/playlist-order.ts';
import { formatSubscriberCount } from '../lib/subscription.ts';
import type { PlaybackSource } from '../player/Player.tsx';
import { DockablePlayer } from '../app/PlayerHost.tsx';
import { CommentsSection } from '../features/comments/Comments.tsx';
import { PlaylistPanel } from '../features/watch/PlaylistPanel.tsx';
import { RatingButtons } from '../features/rating/RatingButtons.tsx';
import { RelatedVideos } from '../features/videos/RelatedVideos.tsx';
import { ReportDialog } from '../features/moderation/ReportDialog.tsx';
import { SaveButton } from '../features/playlists/SaveToPlaylist.tsx';
import { ShareDialog } from '../features/watch/ShareDialog.tsx';
import { DownloadButton } from '../features/watch/DownloadButton.tsx';
import { CaptionsDialog } from '../features/videos/CaptionsDialog.tsx';
import { TranscriptPanel } from '../features/watch/TranscriptPanel.tsx';
import { UpNextScreen } from '../features/watch/UpNextScreen.tsx';
import { AUTOPLAY_STORAGE_KEY, pickUpNext, readAutoplay } from '../lib/up-next.ts';
import { SeekContext, type SeekTarget } from '../lib/seek-context.ts';
import { parseStartTime } from '../lib/share.ts';
import { useWatchProgress } from '../features/history/use-watch-progress.ts';
import { localResumePosition } from '../lib/local-resume.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { channelQueries } from '../features/channels/api.ts';
import { historyQueries } from '../features/history/api.ts';
import { playlistQueries } from '../features/playlists/api.ts';
import { videosApi, videoQueries } from '../features/videos/api.ts';
import './watch.css';

const IN_PROGRESS_POLL_MS = 3000;
const THEATER_STORAGE_KEY = 'tube.theater';

function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // A preference; the page works without it.
  }
}
function sourceFromVideo(video: Video): PlaybackSource | null {
  if (!video.playback) return null;
  return {
    videoId: video.id,
    hlsUrl: video.playback.hls,
    thumbnailUrl: video.thumbnailUrl,
    storyboardVttUrl: video.storyboard?.vttUrl ?? null,
    durationSeconds: video.durationSeconds,
  };
}

function sourceFromPlayback(playback: Playback): PlaybackSource {
  return {
    videoId: playback.videoId,
    hlsUrl: playback.hls,
    thumbnailUrl: playback.thumbnails.poster,
    storyboardVttUrl: playback.storyboardVtt,
    durationSeconds: playback.durationSeconds,
  };
}

const isInProgress = (video: Video | undefined) => video !== undefined && video.status !== 'ready' && video.status !== 'failed';

const NO_IDS: ReadonlySet<string> = new Set();
const NO_TRACKS: CaptionTrack[] = [];

export function WatchPage() {
  const { id = '' } = useParams();
  const [searchParams] = useSearchParams();
  const listParam = searchParams.get('list');
  // A shared link's start time (`?t=90`, `?t=1m23s`) wins over where this viewer stopped last time.
  const sharedStart = parseStartTime(searchParams.get('t'));
  const navigate = useNavigate();
  const { user, status: authStatus } = useAuth();
  const signedIn = authStatus === 'signedIn';
  const video = useQuery({
    ...videoQueries.video(id),
    refetchInterval: (query) => (isInProgress(query.state.data) ? IN_PROGRESS_POLL_MS : false),
  });
  const ready = video.data?.status === 'ready';
  // The chunked pipeline makes a video playable (HLS, the first qualities) before it is ready.
  const playable = video.data?.status === 'playable';
  const watchable = ready || playable;
  const urlsInVideo = watchable && video.data?.playback ? video.data : null;
  const playback = useQuery({
    ...videoQueries.playback(id),
    // Only servers whose Video carries no playback URLs need the separate endpoint.
    enabled: ready && !urlsInVideo,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
  const candidateSource = urlsInVideo ? sourceFromVideo(urlsInVideo) : playback.data ? sourceFromPlayback(playback.data) : null;
  // Private and unlisted URLs are signed and change on every fetch: keep the first ones, so a
  // refetch of the video never reloads the stream under someone watching it.
  // While playable, a new quality (or the switch to ready) re-pins: the player reloads the master where it was.
  const generation = `${video.data?.status ?? ''}:${video.data?.renditions.length ?? 0}`;
  const [pinnedSource, setPinnedSource] = useState<(PlaybackSource & { generation: string }) | null>(null);
  if (
    candidateSource &&
    (pinnedSource?.videoId !== candidateSource.videoId ||
      (pinnedSource.generation !== generation && (playable || pinnedSource.generation.startsWith('playable'))))
  ) {
    setPinnedSource({ ...candidateSource, generation });
  }
  const source = pinnedSource?.videoId === id ? pinnedSource : null;
  const lastPositionRef = useRef<number | null>(null);
  useDocumentTitle(video.data?.title);

  const channelHandle = video.data?.channel.handle;
  const channel = useQuery({
    ...channelQueries.channel(channelHandle ?? ''),
    enabled: channelHandle !== undefined && authStatus !== 'loading',
  });
  const isOwner = Boolean(
    user &&
      video.data &&
      ((user.channel && user.channel.id === video.data.channel.id) || (channel.data?.id === video.data.channel.id && channel.data.owner.id === user.id)),
  );

  // Where this viewer stopped last time; the player waits for it so it can start there.
  const progress = useQuery({
    ...historyQueries.progress(id),
    enabled: watchable && signedIn,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
  const resumeKnown = sharedStart !== null || authStatus === 'signedOut' || (signedIn && (progress.isSuccess || progress.isError));
  const saveWatchProgress = useWatchProgress(id, ready && authStatus !== 'loading', signedIn ? 'server' : 'local');
  const positionRef = useRef(0);
  const onPlaybackPosition = useCallback(
    (positionSeconds: number, state: 'playing' | 'stopped') => {
      positionRef.current = positionSeconds;
      lastPositionRef.current = positionSeconds;
      saveWatchProgress?.(positionSeconds, state);
    },
    [saveWatchProgress],
  );
  const startAtSeconds = sharedStart ?? (signedIn ? (progress.data?.positionSeconds ?? null) : localResumePosition(id, video.data?.durationSeconds ?? null));

  const captions = useQuery({
    ...videoQueries.captions(id),
    enabled: ready && authStatus !== 'loading',
    // Unlisted and private links are signed per fetch; keep the first ones like the stream's.
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const captionTracks = captions.data?.items ?? NO_TRACKS;
  const [media, setMedia] = useState<HTMLVideoElement | null>(null);
  const durationSeconds = video.data?.durationSeconds ?? null;
  const description = video.data?.description ?? '';
  const chapters = useMemo(() => parseChapters(description, durationSeconds), [description, durationSeconds]);
  const seekTarget = useMemo<SeekTarget | null>(
    () =>
      media
        ? {
            videoId: id,
            durationSeconds,
            seek(seconds) {
              media.currentTime = seconds;
              void media.play().catch(() => undefined);
              media.closest('.player')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
            },
          }
        : null,
    [media, id, durationSeconds],
  );

  const playlist = useQuery({
    ...playlistQueries.playlist(listParam ?? ''),
    enabled: listParam !== null && authStatus !== 'loading',
  });
  const playlistIds = useMemo(() => playlist.data?.items.map((item) => item.id) ?? [], [playlist.data]);
  const nextVideoId = listParam !== null ? nextInPlaylist(playlistIds, id) : null;
  const playlistIdSet = useMemo(() => (playlistIds.length > 0 ? new Set(playlistIds) : NO_IDS), [playlistIds]);
  // Same query as the sidebar's related list, so the queue is what the viewer sees there.
  const related = useQuery({ ...videoQueries.related(id), retry: false });
  const upNext = pickUpNext(id, nextVideoId, related.data?.items ?? [], playlistIdSet);
  const [autoplayNext, setAutoplayNext] = useState(() => readAutoplay(readStorage(AUTOPLAY_STORAGE_KEY)));
  const toggleAutoplay = useCallback(() => {
    setAutoplayNext((value) => {
      writeStorage(AUTOPLAY_STORAGE_KEY, value ? '0' : '1');
      return !value;
    });
  }, []);
  const [theater, setTheater] = useState(() => readStorage(THEATER_STORAGE_KEY) === '1');
  const toggleTheater = useCallback(() => {
    setTheater((value) => {
      writeStorage(THEATER_STORAGE_KEY, value ? '0' : '1');
      return !value;
    });
  }, []);
  const goToUpNext = useCallback(() => {
    if (!upNext) return;
    void navigate(listParam !== null && upNext.id === nextVideoId ? `/watch/${upNext.id}?list=${encodeURIComponent(listParam)}` : `/watch/${upNext.id}`);
  }, [upNext, listParam, nextVideoId, navigate]);

  let stage: ReactNode;
  if (video.isPending && video.fetchStatus === 'paused') {
    // TanStack Query holds requests while the browser is offline and sends them when it is back.
    stage = (
      <VideoState icon="offline" title="You're offline">
        <p>This video will load when your connection is back.</p>
      </VideoState>
    );
  } else if (video.isPending) {
    stage = <VideoState icon="video" title="Loading…" busy />;
  } else if (video.isError) {
    const notFound = video.error instanceof ApiError && (video.error.status === 404 || video.error.status === 403);
    stage = notFound ? (
      <VideoState icon="lock" title="Video unavailable">
        <p>This video is private or has been removed.</p>
        {authStatus === 'signedOut' ? (
          <Link to={`/signin?next=${encodeURIComponent(`/watch/${id}`)}`} className="button button-secondary">
            Sign in if it's yours
          </Link>
        ) : null}
      </VideoState>
    ) : (
      <VideoState icon="error" title="Couldn't load this video">
        <p>{describeError(video.error)}</p>
        <button type="button" className="button button-secondary" onClick={() => void video.refetch()}>
          Try again
        </button>
      </VideoState>
    );
  } else if (video.data.status === 'failed') {
    stage = (
      <VideoState icon="error" title="Processing failed">
        <p>{video.data.error ?? 'This video could not be processed.'}</p>
        {isOwner ? (
          <Link to={`/studio?edit=${video.data.id}`} className="button button-secondary">
            Open in Studio
          </Link>
        ) : null}
      </VideoState>
    );
  } else if (!watchable) {
    stage = <ProcessingState video={video.data} />;
  } else if (playback.isError) {
    stage = (
      <VideoState icon="error" title="Couldn't start playback">
        <p>{describeError(playback.error)}</p>
        <button type="button" className="button button-secondary" onClick={() => void playback.refetch()}>
          Try again
        </button>
      </VideoState>
    );
  } else if (!source || !resumeKnown) {
    stage = <VideoState icon="video" title="Loading…" busy />;
  } else {
    stage = (
      <DockablePlayer
        sessionKey={`${source.videoId}:${source.generation}`}
        saveProgress={ready}
        playback={source}
        title={video.data.title}
        startAtSeconds={lastPositionRef.current ?? startAtSeconds}
        onViewCounted={() => void videosApi.reportView(id).catch(() => undefined)}
        onPlaybackPosition={onPlaybackPosition}
        captions={captionTracks}
        chapters={chapters}
        onMediaElement={setMedia}
        onEnded={nextVideoId && listParam !== null ? () => navigate(`/watch/${nextVideoId}?list=${encodeURIComponent(listParam)}`) : undefined}
        onNext={upNext ? goToUpNext : undefined}
        autoplayNext={listParam === null ? { enabled: autoplayNext, onToggle: toggleAutoplay } : undefined}
        theater={{ enabled: theater, onToggle: toggleTheater }}
        endScreen={
          listParam === null && upNext?.video ? (
            <UpNextScreen
              video={upNext.video}
              autoplay={autoplayNext}
              onPlay={goToUpNext}
              onReplay={() => {
                if (!media) return;
                media.currentTime = 0;
                void media.play().catch(() => undefined);
              }}
            />
          ) : undefined
        }
      />
    );
  }

  return (
    <SeekContext.Provider value={seekTarget}>
      <div className="watch" data-theater={theater || undefined}>
        <div className="watch-primary">
          {stage}
          {playable && video.data ? (
            <p className="muted" data-testid="playable-notice" role="status">
              Playable now
              {video.data.etaSeconds !== null
                ? `, higher qualities in about ${Math.max(1, Math.round(video.data.etaSeconds))} s`
                : ', higher qualities are on their way'}
              .
            </p>
          ) : null}
          {video.data ? (
            <VideoDetails
              video={video.data}
              channel={channel.data ?? null}
              isOwner={isOwner}
              currentPosition={() => positionRef.current}
              captionTracks={captionTracks}
            />
          ) : null}
          {video.data?.status === 'ready' ? (
            <CommentsSection
              video={video.data}
              renderReportDialog={(commentId, onClose) => <ReportDialog target={commentId ? { type: 'comment', id: commentId } : null} onClose={onClose} />}
            />
          ) : null}
        </div>
        <aside className="watch-secondary" aria-label="More videos">
          {captionTracks.length > 0 && source ? <TranscriptPanel key={id} tracks={captionTracks} media={media} /> : null}
          {playlist.data && listParam !== null ? <PlaylistPanel playlist={playlist.data} listParam={listParam} currentVideoId={id} /> : null}
          <RelatedVideos videoId={id} excludeIds={playlistIdSet} />
        </aside>
      </div>
    </SeekContext.Provider>
  );
}

function VideoState({ icon, title, busy = false, children }: { icon: IconName; title: string; busy?: boolean; children?: ReactNode }) {
  return (
    <div className="video-state" data-testid="video-state">
      {busy ? <Spinner /> : <Icon name={icon} size={48} />}
      <h2>{title}</h2>
      {children}
    </div>
  );
}

function ProcessingState({ video }: { video: Video }) {
  if (video.status === 'awaiting_upload') {
    return (
      <VideoState icon="upload" title="Waiting for the upload">
        <p>This video will be processed once its file has been uploaded.</p>
      </VideoState>
    );
  }
  const progress = video.progress ?? 0;
  const title = video.status === 'queued' ? 'Waiting to be processed' : `Processing… ${formatPercent(progress)}`;
  const detail =
    video.status === 'queued' && video.queuePosition !== null
      ? `Position ${video.queuePosition} in line.`
      : video.etaSeconds !== null
        ? `About ${formatTimeRemaining(video.etaSeconds).replace(' left', '')} left.`
        : 'It will be ready to watch soon.';
  return (
    <VideoState icon="video" title={title}>
      <p>{detail} This page updates by itself.</p>
      <ProgressBar value={video.status === 'queued' ? 0 : progress} label="Processing progress" />
    </VideoState>
  );
}

function VideoDetails({
  video,
  channel,
  isOwner,
  currentPosition,
  captionTracks,
}: {
  video: Video;
  channel: Channel | null;
  isOwner: boolean;
  currentPosition(): number;
  captionTracks: CaptionTrack[];
}) {
  const { user } = useAuth();
  const [expanded, setExpanded] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [sharingAt, setSharingAt] = useState<number | null>(null);
  const [editingCaptions, setEditingCaptions] = useState(false);
  const long = video.description.length > 280 || video.description.split('\n').length > 3;
  const published = video.publishedAt ?? video.createdAt;
  return (
    <section aria-label="Video details">
      <h1 className="watch-title" data-testid="watch-title">
        {video.title}
      </h1>
      <div className="watch-owner">
        <div className="watch-channel">
          <Link to={`/channel/${encodeURIComponent(video.channel.handle)}`} className="watch-channel-link">
            {channel?.avatarUrl ? (
              <img className="channel-avatar-small" src={channel.avatarUrl} alt="" width={40} height={40} />
            ) : (
              <Avatar name={video.channel.name} size={40} />
            )}
            <span>
              <span className="watch-channel-name">{video.channel.name}</span>
              <br />
              <span className="muted" data-testid="subscriber-count">
                {channel ? formatSubscriberCount(channel.subscriberCount) : `@${video.channel.handle}`}
              </span>
            </span>
          </Link>
          {channel ? <SubscribeButton channel={channel} /> : null}
        </div>
        {video.visibility !== 'public' ? (
          <span className="chip">
            <Icon name={video.visibility === 'private' ? 'lock' : 'link'} size={14} />
            {video.visibility === 'private' ? 'Private' : 'Unlisted'}
          </span>
        ) : null}
        <div className="watch-actions">
          {isOwner ? (
            <Link to={`/studio?edit=${video.id}`} className="button button-secondary">
              <Icon name="edit" /> Edit video
            </Link>
          ) : null}
          {isOwner && video.status === 'ready' ? (
            <button type="button" className="button button-secondary" onClick={() => setEditingCaptions(true)}>
              <span className="player-cc-glyph" aria-hidden="true">
                CC
              </span>{' '}
              Captions
            </button>
          ) : null}
          {video.status === 'ready' ? (
            <>
              <RatingButtons video={video} />
              <button type="button" className="button button-secondary" onClick={() => setSharingAt(currentPosition())}>
                <Icon name="share" /> Share
              </button>
              {/* The server has the last word (GET /videos/:id/download answers 403 otherwise); this only hides a button that would be refused. */}
              {video.allowDownloads || isOwner || user?.role === 'admin' ? <DownloadButton video={video} /> : null}
              <SaveButton video={video} />
            </>
          ) : null}
          {user && !isOwner ? <ActionMenu label="More actions" actions={[{ label: 'Report', icon: 'flag', onSelect: () => setReporting(true) }]} /> : null}
        </div>
      </div>
      <ReportDialog target={reporting ? { type: 'video', id: video.id } : null} onClose={() => setReporting(false)} />
      {isOwner ? <CaptionsDialog videoId={video.id} tracks={captionTracks} open={editingCaptions} onClose={() => setEditingCaptions(false)} /> : null}
      <ShareDialog video={video} open={sharingAt !== null} currentSeconds={sharingAt ?? 0} onClose={() => setSharingAt(null)} />
      <div className="watch-description" data-collapsed={long && !expanded ? true : undefined}>
        <div className="watch-description-meta">
          <span data-testid="view-count">{formatExactViewCount(video.viewCount)}</span> ·{' '}
          <span title={formatDate(published)}>{formatRelativeTime(published)}</span>
        </div>
        {video.tags.length > 0 ? (
          <div className="watch-tags">
            {video.tags.map((tag) => (
              <Link key={tag} to={`/results?q=${encodeURIComponent(tag)}`} className="tag-chip">
                #{tag}
              </Link>
            ))}
          </div>
        ) : null}
        {video.description ? (
          <p className="watch-description-text">
            <LinkifiedText text={video.description} />
          </p>
        ) : null}
        {long ? (
          <button type="button" className="button button-text" onClick={() => setExpanded((value) => !value)} aria-expanded={expanded}>
            {expanded ? 'Show less' : 'Show more'}
          </button>
        ) : null}
      </div>
    </section>
  );
}
