import { useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import type { Playback, Video } from '@tube/shared';
import { api } from '../api/client.ts';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth } from '../auth/auth-context.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { VideoRow } from '../components/VideoCard.tsx';
import { Avatar, ProgressBar, Spinner } from '../components/ui.tsx';
import { formatDate, formatExactViewCount, formatPercent, formatRelativeTime, formatTimeRemaining } from '../lib/format.ts';
import { Player, type PlaybackSource } from '../player/Player.tsx';
import { HOME_FEED_KEY } from './HomePage.tsx';
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

export function WatchPage() {
  const { id = '' } = useParams();
  const { user, status: authStatus } = useAuth();
  const video = useQuery({
    queryKey: ['video', id],
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

  const isOwner = Boolean(user?.channel && video.data && user.channel.id === video.data.channel.id);

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
  } else if (!source) {
    stage = <VideoState icon="video" title="Loading…" busy />;
  } else {
    stage = (
      <Player
        key={source.videoId}
        playback={source}
        title={video.data.title}
        onViewCounted={() => void api.reportView(id).catch(() => undefined)}
      />
    );
  }

  return (
    <div className="watch">
      <div className="watch-primary">
        {stage}
        {video.data ? <VideoDetails video={video.data} isOwner={isOwner} /> : null}
      </div>
      <aside className="watch-secondary" aria-label="More videos">
        <MoreVideos excludeId={id} />
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

const URL_PATTERN = /(https?:\/\/[^\s<]+[^\s<.,;:!?)\]'"])/g;

/** Plain text with http(s) links made clickable (nofollow: descriptions are user content). */
function LinkifiedText({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <a key={index} href={part} target="_blank" rel="noopener noreferrer nofollow ugc">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  );
}

function VideoDetails({ video, isOwner }: { video: Video; isOwner: boolean }) {
  const [expanded, setExpanded] = useState(false);
  const long = video.description.length > 280 || video.description.split('\n').length > 3;
  const published = video.publishedAt ?? video.createdAt;
  return (
    <section aria-label="Video details">
      <h1 className="watch-title" data-testid="watch-title">
        {video.title}
      </h1>
      <div className="watch-owner">
        <Link to={`/channel/${encodeURIComponent(video.channel.handle)}`} className="watch-channel">
          <Avatar name={video.channel.name} size={40} />
          <span>
            <span className="watch-channel-name">{video.channel.name}</span>
            <br />
            <span className="muted">@{video.channel.handle}</span>
          </span>
        </Link>
        {video.visibility !== 'public' ? (
          <span className="chip">
            <Icon name={video.visibility === 'private' ? 'lock' : 'link'} size={14} />
            {video.visibility === 'private' ? 'Private' : 'Unlisted'}
          </span>
        ) : null}
        {isOwner ? (
          <Link to={`/studio?edit=${video.id}`} className="button button-secondary">
            <Icon name="edit" /> Edit video
          </Link>
        ) : null}
      </div>
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

function MoreVideos({ excludeId }: { excludeId: string }) {
  const feed = useQuery({
    queryKey: [...HOME_FEED_KEY, 'first-page'],
    queryFn: () => api.listVideos(null),
  });
  const others = useMemo(() => (feed.data?.items ?? []).filter((video) => video.id !== excludeId).slice(0, 20), [feed.data, excludeId]);
  // Secondary content: when it can't load, the page simply goes without it.
  if (others.length === 0) return null;
  return (
    <>
      <h2>More videos</h2>
      <div className="video-list">
        {others.map((video) => (
          <VideoRow key={video.id} video={video} compact />
        ))}
      </div>
    </>
  );
}
