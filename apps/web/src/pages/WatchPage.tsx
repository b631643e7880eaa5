import { useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import type { Channel, Playback, Video } from '@tube/shared';
import { api } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { queryKeys } from '../api/query-keys.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { ActionMenu } from '../components/ActionMenu.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { LinkifiedText } from '../components/LinkifiedText.tsx';
import { SubscribeButton } from '../components/SubscribeButton.tsx';
import { Avatar, ProgressBar, Spinner } from '../components/ui.tsx';
import { formatDate, formatExactViewCount, formatPercent, formatRelativeTime, formatTimeRemaining } from '../lib/format.ts';
import { nextInPlaylist } from '../lib/playlist-order.ts';
import { formatSubscriberCount } from '../lib/subscription.ts';
import { Player, type PlaybackSource } from '../player/Player.tsx';
import { CommentsSection } from '../watch/Comments.tsx';
import { PlaylistPanel } from '../watch/PlaylistPanel.tsx';
import { RatingButtons } from '../watch/RatingButtons.tsx';
import { RelatedVideos } from '../watch/RelatedVideos.tsx';
import { ReportDialog } from '../watch/ReportDialog.tsx';
import { SaveButton } from '../watch/SaveToPlaylist.tsx';
import { useWatchProgress } from '../watch/use-watch-progress.ts';
import { localResumePosition } from '../lib/local-resume.ts';
import { useDocumentTitle } from './use-document-title.ts';

const IN_PROGRESS_POLL_MS = 3000;
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

export function WatchPage() {
  const { id = '' } = useParams();
  const [searchParams] = useSearchParams();
  const listParam = searchParams.get('list');
  const navigate = useNavigate();
  const { user, status: authStatus } = useAuth();
  const signedIn = authStatus === 'signedIn';
  const video = useQuery({
    queryKey: queryKeys.video(id),
    queryFn: () => api.getVideo(id),
    refetchInterval: (query) => (isInProgress(query.state.data) ? IN_PROGRESS_POLL_MS : false),
  });
  const ready = video.data?.status === 'ready';
  const urlsInVideo = ready && video.data?.playback ? video.data : null;
  const playback = useQuery({
    queryKey: ['playback', id],
    queryFn: () => api.getPlayback(id),
    // Only servers whose Video carries no playback URLs need the separate endpoint.
    enabled: ready && !urlsInVideo,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  });
  const candidateSource = urlsInVideo ? sourceFromVideo(urlsInVideo) : playback.data ? sourceFromPlayback(playback.data) : null;
  // Private and unlisted URLs are signed and change on every fetch: keep the first ones, so a
  // refetch of the video never reloads the stream under someone watching it.
  const [pinnedSource, setPinnedSource] = useState<PlaybackSource | null>(null);
  if (candidateSource && pinnedSource?.videoId !== candidateSource.videoId) setPinnedSource(candidateSource);
  const source = pinnedSource?.videoId === id ? pinnedSource : null;
  useDocumentTitle(video.data?.title);

  const channelHandle = video.data?.channel.handle;
  const channel = useQuery({
    queryKey: queryKeys.channel(channelHandle ?? ''),
    queryFn: () => api.getChannel(channelHandle ?? ''),
    enabled: channelHandle !== undefined && authStatus !== 'loading',
  });
  const isOwner = Boolean(
    user && video.data && ((user.channel && user.channel.id === video.data.channel.id) || (channel.data?.id === video.data.channel.id && channel.data.owner.id === user.id)),
  );

  // Where this viewer stopped last time; the player waits for it so it can start there.
  const progress = useQuery({
    queryKey: queryKeys.progress(id),
    queryFn: () => api.getProgress(id),
    enabled: ready && signedIn,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
  const resumeKnown = authStatus === 'signedOut' || (signedIn && (progress.isSuccess || progress.isError));
  const onPlaybackPosition = useWatchProgress(id, ready && authStatus !== 'loading', signedIn ? 'server' : 'local');
  const startAtSeconds = signedIn ? (progress.data?.positionSeconds ?? null) : localResumePosition(id, video.data?.durationSeconds ?? null);

  const playlist = useQuery({
    queryKey: queryKeys.playlist(listParam ?? ''),
    queryFn: () => api.getPlaylist(listParam ?? ''),
    enabled: listParam !== null && authStatus !== 'loading',
  });
  const playlistIds = useMemo(() => playlist.data?.items.map((item) => item.id) ?? [], [playlist.data]);
  const nextVideoId = listParam !== null ? nextInPlaylist(playlistIds, id) : null;
  const playlistIdSet = useMemo(() => (playlistIds.length > 0 ? new Set(playlistIds) : NO_IDS), [playlistIds]);

  let stage: ReactNode;
  if (video.isPending) {
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
  } else if (!ready) {
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
      <Player
        key={source.videoId}
        playback={source}
        title={video.data.title}
        startAtSeconds={startAtSeconds}
        onViewCounted={() => void api.reportView(id).catch(() => undefined)}
        onPlaybackPosition={onPlaybackPosition}
        onEnded={
          nextVideoId && listParam !== null ? () => navigate(`/watch/${nextVideoId}?list=${encodeURIComponent(listParam)}`) : undefined
        }
      />
    );
  }

  return (
    <div className="watch">
      <div className="watch-primary">
        {stage}
        {video.data ? <VideoDetails video={video.data} channel={channel.data ?? null} isOwner={isOwner} /> : null}
        {video.data?.status === 'ready' ? <CommentsSection video={video.data} /> : null}
      </div>
      <aside className="watch-secondary" aria-label="More videos">
        {playlist.data && listParam !== null ? <PlaylistPanel playlist={playlist.data} listParam={listParam} currentVideoId={id} /> : null}
        <RelatedVideos videoId={id} excludeIds={playlistIdSet} />
      </aside>
    </div>
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

function VideoDetails({ video, channel, isOwner }: { video: Video; channel: Channel | null; isOwner: boolean }) {
  const { user } = useAuth();
  const [expanded, setExpanded] = useState(false);
  const [reporting, setReporting] = useState(false);
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
            {channel?.avatarUrl ? <img className="channel-avatar-small" src={channel.avatarUrl} alt="" width={40} height={40} /> : <Avatar name={video.channel.name} size={40} />}
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
          {video.status === 'ready' ? (
            <>
              <RatingButtons video={video} />
              <SaveButton video={video} />
            </>
          ) : null}
          {user && !isOwner ? <ActionMenu label="More actions" actions={[{ label: 'Report', icon: 'flag', onSelect: () => setReporting(true) }]} /> : null}
        </div>
      </div>
      <ReportDialog target={reporting ? { type: 'video', id: video.id } : null} onClose={() => setReporting(false)} />
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
