import { useEffect, useRef, type RefObject } from 'react';
import type { Beacon } from '@tube/shared';
import { mergeRanges, WatchedRanges } from '../lib/watched-ranges.ts';
import { trafficSource } from '../lib/traffic-source.ts';
import { beaconsApi } from '../api/beacons.ts';

const HEARTBEAT_MS = 10_000;
/** The server refuses larger amounts per heartbeat. */
const MAX_HEARTBEAT_SECONDS = 60;
const MAX_RANGES = 20;
const MAX_EVENTS = 50;
/** A jump larger than this between two timeupdates is a seek, not playback. */
const MAX_PLAYBACK_STEP = 2;

function randomSessionId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Playback analytics: view start (with its traffic source), time to first frame, watch-time heartbeats with the
 * newly watched parts of the video (for the retention curve) and the rendition they were watched in, stalls,
 * rendition switches and errors. Batched every 10 s and on pause, end and page hide; nothing identifies the viewer
 * (the session id is random per page view).
 */
export function usePlaybackBeacons(
  videoRef: RefObject<HTMLVideoElement | null>,
  options: { videoId: string; rendition: string | null; fatalError: string | null },
): void {
  const rendition = useRef(options.rendition);
  const pending = useRef<Beacon[]>([]);

  useEffect(() => {
    if (options.rendition && options.rendition !== rendition.current && rendition.current !== null)
      pending.current.push({ type: 'rendition', to: options.rendition });
    rendition.current = options.rendition;
  }, [options.rendition]);

  useEffect(() => {
    if (options.fatalError) pending.current.push({ type: 'error', code: 'fatal_playback_error' });
  }, [options.fatalError]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const videoId = options.videoId;
    const here = `${window.location.pathname}${window.location.search}`;
    const sessionId = randomSessionId();
    const coverage = new WatchedRanges();
    const queue = pending.current;
    queue.length = 0;
    let started = false;
    let playRequestedAt: number | null = null;
    let firstFrameReported = false;
    let lastTime: number | null = null;
    let seeking = false;
    let stallStartedAt: number | null = null;
    let watched = 0;
    let ranges: [number, number][] = [];

    const takeHeartbeats = () => {
      const merged = mergeRanges(ranges);
      ranges = [];
      while (watched > 0.05 || merged.length > 0) {
        const seconds = Math.min(watched, MAX_HEARTBEAT_SECONDS);
        watched -= seconds;
        queue.push({
          type: 'heartbeat',
          watchedSeconds: Math.round(seconds * 1000) / 1000,
          ranges: merged.splice(0, MAX_RANGES),
          ...(rendition.current ? { rendition: rendition.current } : {}),
        });
      }
      watched = 0;
    };
    const flush = () => {
      takeHeartbeats();
      while (queue.length > 0) void beaconsApi.sendBeacons({ videoId, sessionId, events: queue.splice(0, MAX_EVENTS) }).catch(() => undefined);
    };

    const onPlay = () => {
      playRequestedAt ??= performance.now();
    };
    const onPlaying = () => {
      if (!started) {
        started = true;
        queue.push({ type: 'start', source: trafficSource(here) });
      }
      if (!firstFrameReported && playRequestedAt !== null) {
        firstFrameReported = true;
        queue.push({ type: 'ttff', ms: Math.min(120_000, Math.round(performance.now() - playRequestedAt)) });
      }
      if (stallStartedAt !== null) {
        queue.push({ type: 'rebuffer', seconds: Math.min(600, (performance.now() - stallStartedAt) / 1000) });
        stallStartedAt = null;
      }
      lastTime = video.currentTime;
    };
    const onTimeUpdate = () => {
      const now = video.currentTime;
      if (!video.paused && !seeking && lastTime !== null) {
        const step = now - lastTime;
        if (step > 0 && step < MAX_PLAYBACK_STEP) {
          watched += step;
          ranges.push(...coverage.add(lastTime, now));
        }
      }
      lastTime = now;
    };
    const onSeeking = () => {
      seeking = true;
    };
    const onSeeked = () => {
      seeking = false;
      lastTime = video.currentTime;
    };
    const onWaiting = () => {
      if (started && !seeking && stallStartedAt === null) stallStartedAt = performance.now();
    };
    const onError = () => queue.push({ type: 'error', code: 'media_error' });
    const onHidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };

    const events: [keyof HTMLMediaElementEventMap, () => void][] = [
      ['play', onPlay],
      ['playing', onPlaying],
      ['timeupdate', onTimeUpdate],
      ['seeking', onSeeking],
      ['seeked', onSeeked],
      ['waiting', onWaiting],
      ['pause', flush],
      ['ended', flush],
      ['error', onError],
    ];
    for (const [name, handler] of events) video.addEventListener(name, handler);
    document.addEventListener('visibilitychange', onHidden);
    window.addEventListener('pagehide', flush);
    const timer = window.setInterval(() => {
      if (!video.paused) flush();
    }, HEARTBEAT_MS);
    return () => {
      window.clearInterval(timer);
      for (const [name, handler] of events) video.removeEventListener(name, handler);
      document.removeEventListener('visibilitychange', onHidden);
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [videoRef, options.videoId]);
}
