import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router-dom';
import type { CaptionTrack } from '@tube/shared';
import { ApiError } from '../api/errors.ts';
import { Icon } from '../components/Icon.tsx';
import { Spinner } from '../components/ui.tsx';
import { parseEmbedOptions, watchLink } from '../lib/share.ts';
import { attachEmbedApi } from '../player/embed-api.ts';
import { Player } from '../player/Player.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { videosApi, videoQueries } from '../features/videos/api.ts';
import './embed.css';

/**
 * `/embed/:id`: the player alone, for other sites' iframes. Options in the query string (autoplay, muted,
 * loop, controls, start); a postMessage API (see player/embed-api.ts). Private videos are never embedded,
 * not even for their owner: an embed is for other people's pages.
 */
const NO_TRACKS: CaptionTrack[] = [];

export function EmbedPage() {
  const { id = '' } = useParams();
  const [searchParams] = useSearchParams();
  const options = useMemo(() => parseEmbedOptions(searchParams), [searchParams]);
  const video = useQuery({ ...videoQueries.video(id), staleTime: Number.POSITIVE_INFINITY });
  const captions = useQuery({
    ...videoQueries.captions(id),
    enabled: video.data?.status === 'ready' && video.data.visibility !== 'private',
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const [media, setMedia] = useState<HTMLVideoElement | null>(null);
  useEffect(() => (media ? attachEmbedApi(media) : undefined), [media]);
  useDocumentTitle(video.data?.title);

  let body: ReactNode;
  if (video.isPending) {
    body = <Spinner />;
  } else if (video.isError || video.data.visibility === 'private') {
    const missing = video.isError ? video.error instanceof ApiError && video.error.status < 500 : true;
    body = <EmbedMessage text={missing ? 'This video is unavailable.' : 'This video could not be loaded. Try again later.'} />;
  } else if (video.data.status !== 'ready' || !video.data.playback) {
    body = <EmbedMessage text={video.data.status === 'failed' ? 'This video is unavailable.' : 'This video is still being processed.'} />;
  } else {
    const data = video.data;
    body = (
      <>
        <Player
          playback={{
            videoId: data.id,
            hlsUrl: data.playback!.hls,
            thumbnailUrl: data.thumbnailUrl,
            storyboardVttUrl: data.storyboard?.vttUrl ?? null,
            durationSeconds: data.durationSeconds,
          }}
          title={data.title}
          startAtSeconds={options.start > 0 ? options.start : null}
          autoPlay={options.autoplay}
          startMuted={options.muted}
          rememberVolume={false}
          loop={options.loop}
          controls={options.controls}
          onMediaElement={setMedia}
          captions={captions.data?.items ?? NO_TRACKS}
          onViewCounted={() => void videosApi.reportView(data.id).catch(() => undefined)}
        />
        <a className="embed-title" href={watchLink(window.location.origin, data.id)} target="_blank" rel="noopener" data-testid="embed-title">
          {data.title}
        </a>
      </>
    );
  }
  return (
    <main className="embed" data-testid="embed">
      {body}
    </main>
  );
}

function EmbedMessage({ text }: { text: string }) {
  return (
    <div className="embed-message" role="alert">
      <Icon name="lock" size={36} />
      <p>{text}</p>
    </div>
  );
}
