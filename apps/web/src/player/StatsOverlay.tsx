import { useEffect, useState } from 'react';
import { formatBitrate } from '../lib/format.ts';
import { bufferedEndAt } from './end-of-stream.ts';
import type { StreamState } from './use-stream.ts';

interface Stats {
  resolution: string;
  buffer: number;
  dropped: number;
  decoded: number;
  estimate: number | null;
}

function read(video: HTMLVideoElement, stream: StreamState): Stats {
  const quality = typeof video.getVideoPlaybackQuality === 'function' ? video.getVideoPlaybackQuality() : null;
  return {
    resolution: video.videoWidth > 0 ? `${video.videoWidth}×${video.videoHeight}` : '—',
    buffer: Math.max(0, bufferedEndAt(video.buffered, video.currentTime) - video.currentTime),
    dropped: quality?.droppedVideoFrames ?? 0,
    decoded: quality?.totalVideoFrames ?? 0,
    estimate: stream.bandwidthEstimate(),
  };
}

/** "Stats for nerds": the rung playing, its bitrate, the buffer ahead, dropped frames and the bandwidth estimate. */
export function StatsOverlay({ video, stream, onClose }: { video: HTMLVideoElement; stream: StreamState; onClose(): void }) {
  const [stats, setStats] = useState(() => read(video, stream));
  useEffect(() => {
    const timer = window.setInterval(() => setStats(read(video, stream)), 500);
    return () => window.clearInterval(timer);
  }, [video, stream]);
  const level = stream.levels.find((candidate) => candidate.index === stream.currentLevel);
  return (
    <div className="player-stats" data-testid="player-stats" role="region" aria-label="Stats for nerds">
      <button type="button" className="player-stats-close" aria-label="Close stats" onClick={onClose}>
        ×
      </button>
      <dl>
        <dt>Rung</dt>
        <dd data-stat="rung">{level ? `${level.label} (${level.width}×${level.height})` : stream.engine === 'native' ? 'chosen by the browser' : '—'}</dd>
        <dt>Rung bitrate</dt>
        <dd>{level ? formatBitrate(level.bitrate) : '—'}</dd>
        <dt>Decoded size</dt>
        <dd>{stats.resolution}</dd>
        <dt>Buffer ahead</dt>
        <dd data-stat="buffer">{stats.buffer.toFixed(1)} s</dd>
        <dt>Dropped frames</dt>
        <dd data-stat="dropped">
          {stats.dropped} / {stats.decoded}
        </dd>
        <dt>Bandwidth estimate</dt>
        <dd>{stats.estimate !== null ? formatBitrate(stats.estimate) : '—'}</dd>
        <dt>Engine</dt>
        <dd>{stream.engine}</dd>
      </dl>
    </div>
  );
}
