import { useCallback, useEffect, useState, type RefObject } from 'react';
import { bufferedEndAt } from './end-of-stream.ts';

/** What the control bar shows about the <video>: kept in sync with the element's own events. */
export interface MediaState {
  playing: boolean;
  /** Played to its end (or to an end stall the watchdog gave up on). */
  ended: boolean;
  /** Has played at least once (the big play button goes). */
  hasStarted: boolean;
  /** Waiting for data while it should be playing. */
  waiting: boolean;
  currentTime: number;
  duration: number;
  /** End of the buffered range around the playhead. */
  bufferedEnd: number;
  volume: number;
  muted: boolean;
  pictureInPicture: boolean;
}

export interface MediaStateControls {
  /** The element stopped short of `ended` (see end-of-stream.ts) but playback is over. */
  markFinished(): void;
}

/**
 * Follows a media element's state through its events (play, pause, timeupdate, progress…), so the
 * player's components render from one object instead of each keeping its own copy.
 * `initialDuration` is shown until the element knows better (the API's duration).
 */
export function useMediaState(videoRef: RefObject<HTMLVideoElement | null>, initialDuration: number): [MediaState, MediaStateControls] {
  const [state, setState] = useState<MediaState>(() => ({
    playing: false,
    ended: false,
    hasStarted: false,
    waiting: false,
    currentTime: 0,
    duration: initialDuration,
    bufferedEnd: 0,
    volume: 1,
    muted: false,
    pictureInPicture: false,
  }));

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const update = (patch: Partial<MediaState>) => setState((previous) => ({ ...previous, ...patch }));
    const buffered = () => bufferedEndAt(video.buffered, video.currentTime);
    const handlers: Record<string, () => void> = {
      play: () => update({ playing: true, ended: false, hasStarted: true }),
      pause: () => update({ playing: false }),
      waiting: () => update({ waiting: true }),
      playing: () => update({ waiting: false, playing: !video.paused }),
      canplay: () => update({ waiting: false }),
      timeupdate: () => update({ currentTime: video.currentTime, bufferedEnd: buffered() }),
      seeked: () => update({ currentTime: video.currentTime }),
      durationchange: () => {
        if (Number.isFinite(video.duration)) update({ duration: video.duration });
      },
      progress: () => update({ bufferedEnd: buffered() }),
      volumechange: () => update({ volume: video.volume, muted: video.muted }),
      enterpictureinpicture: () => update({ pictureInPicture: true }),
      leavepictureinpicture: () => update({ pictureInPicture: false }),
    };
    for (const [type, handler] of Object.entries(handlers)) video.addEventListener(type, handler);
    // The element may have moved on before this effect ran (autoplay, an earlier owner).
    setState((previous) => ({
      ...previous,
      playing: !video.paused,
      hasStarted: previous.hasStarted || !video.paused,
      currentTime: video.currentTime,
      volume: video.volume,
      muted: video.muted,
      ...(Number.isFinite(video.duration) ? { duration: video.duration } : {}),
    }));
    return () => {
      for (const [type, handler] of Object.entries(handlers)) video.removeEventListener(type, handler);
    };
  }, [videoRef]);

  const markFinished = useCallback(() => setState((previous) => ({ ...previous, ended: true, playing: false })), []);
  return [state, { markFinished }];
}
