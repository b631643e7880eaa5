import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { CaptionTrack, Chapter } from '@tube/shared';
import { Icon } from '../components/Icon.tsx';
import { Spinner } from '../components/ui.tsx';
import { CAPTION_PREFERENCES_KEY, showingTrack, toggleCaptions, type CaptionPreferences } from '../lib/captions.ts';
import { CaptionOverlay } from './CaptionOverlay.tsx';
import { ControlBar } from './ControlBar.tsx';
import { bufferedEndAt, END_STALL_WAIT_MS, isStalledAtEnd } from './end-of-stream.ts';
import { SPEED_STORAGE_KEY, stepSpeed } from './playback-speed.ts';
import {
  MUTED_STORAGE_KEY,
  readStoredCaptionPreferences,
  readStoredMuted,
  readStoredSpeed,
  readStoredVolume,
  storePreference,
  VOLUME_STORAGE_KEY,
} from './preferences.ts';
import { actionForKey, clampSeek, type PlayerAction } from './shortcuts.ts';
import { StatsOverlay } from './StatsOverlay.tsx';
import { DOUBLE_TAP_MS, isSingleTap, tap, tapZone, type TapState } from './touch-gestures.ts';
import { useCaptionCues } from './use-caption-cues.ts';
import { useFlash, useFullscreen } from './use-fullscreen.ts';
import { useMediaState } from './use-media-state.ts';
import { usePlaybackBeacons } from './use-playback-beacons.ts';
import { useStoryboard } from './use-storyboard.ts';
import { useStream } from './use-stream.ts';
import { WatchTimeTracker } from './watch-time.ts';
import './player.css';

const CONTROLS_HIDE_DELAY_MS = 2500;

/** What the player needs; built from the Video (its `playback` URLs) or from GET /videos/:id/playback. */
export interface PlaybackSource {
  videoId: string;
  hlsUrl: string;
  thumbnailUrl: string | null;
  storyboardVttUrl: string | null;
  durationSeconds: number | null;
}

export interface PlayerProps {
  playback: PlaybackSource;
  title: string;
  /** Called once, after enough playback to count a view. */
  onViewCounted?: () => void;
  /** Where to start (resuming an earlier visit); applied once the stream's duration is known. */
  startAtSeconds?: number | null;
  /** The position while playing (every `timeupdate`) and wherever playback stops (pause, seek while paused, end). */
  onPlaybackPosition?: (positionSeconds: number, state: 'playing' | 'stopped') => void;
  /** Called when the video plays to its end. */
  onEnded?: () => void;
  /** Start playing by itself (default true; browsers may refuse unless muted). */
  autoPlay?: boolean;
  /** Start muted whatever the viewer's saved preference (embeds with `muted=1`). */
  startMuted?: boolean;
  /** Save volume/mute changes as the viewer's preference (default true; embeds do not). */
  rememberVolume?: boolean;
  /** Start again at the end instead of stopping. */
  loop?: boolean;
  /** Show the control bar (default true). */
  controls?: boolean;
  /** The underlying media element, for the embed page's JavaScript API and the transcript. */
  onMediaElement?: (video: HTMLVideoElement | null) => void;
  /** Caption tracks offered in the CC menu. */
  captions?: readonly CaptionTrack[];
  /** Chapters (from the description): marks on the seek bar and the title beside the time. */
  chapters?: readonly Chapter[];
  /** Shown over the video once it has ended (the up-next screen). */
  endScreen?: ReactNode;
  /** Shift+N: go to the next video. */
  onNext?: () => void;
  /** The "autoplay next video" switch in the control bar. */
  autoplayNext?: { enabled: boolean; onToggle(): void };
  /** Theater mode (`t`): the page widens the player. */
  theater?: { enabled: boolean; onToggle(): void };
  /** The mini player button and `i` shortcut (the watch page inside the app shell). */
  onMiniPlayer?: () => void;
  /** Answer the keyboard shortcuts (default true; the docked mini player does not). */
  keyboardShortcuts?: boolean;
}

const NO_CHAPTERS: readonly Chapter[] = [];

const NO_CAPTIONS: readonly CaptionTrack[] = [];

/** Keys typed into fields, or pressed on controls that already react to them, are not shortcuts. */
function isKeyForSomethingElse(event: KeyboardEvent): boolean {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('[role="menu"], dialog')) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return target.type !== 'range' && target.type !== 'checkbox';
  const activatedBySpace = target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement;
  return activatedBySpace && (event.key === ' ' || event.key === 'Enter');
}

/** Keeps the latest value of a prop for callbacks registered once. */
function useLatest<T>(value: T) {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

/**
 * The video player: the element and its stream (use-stream), its state (use-media-state), and what
 * the viewer does to it — touch gestures, shortcuts, the end-of-stream watchdog and watch time —
 * with the control bar, captions and overlays as children.
 */
export function Player({
  playback,
  title,
  onViewCounted,
  startAtSeconds = null,
  onPlaybackPosition,
  onEnded,
  autoPlay = true,
  startMuted = false,
  rememberVolume = true,
  loop = false,
  controls = true,
  onMediaElement,
  captions = NO_CAPTIONS,
  chapters = NO_CHAPTERS,
  endScreen,
  onNext,
  autoplayNext,
  theater,
  onMiniPlayer,
  keyboardShortcuts = true,
}: PlayerProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  // Resume once, and not when the saved spot is the very end (the viewer would see nothing).
  const knownDuration = playback.durationSeconds ?? null;
  const resumeAt =
    startAtSeconds !== null && startAtSeconds > 0 && (knownDuration === null || knownDuration <= 0 || startAtSeconds < knownDuration - 1)
      ? startAtSeconds
      : null;
  const [initialResumeAt] = useState(resumeAt);
  const stream = useStream(videoRef, playback.hlsUrl, initialResumeAt);
  const engineRef = useLatest(stream.engine);
  usePlaybackBeacons(videoRef, {
    videoId: playback.videoId,
    rendition: stream.levels.find((level) => level.index === stream.currentLevel)?.label ?? null,
    fatalError: stream.fatalError,
  });
  const storyboard = useStoryboard(playback.storyboardVttUrl);
  const [media, { markFinished }] = useMediaState(videoRef, playback.durationSeconds ?? 0);
  const [fullscreen, toggleFullscreen] = useFullscreen(containerRef, videoRef);
  const [flash, showFlash] = useFlash();

  const [controlsHidden, setControlsHidden] = useState(false);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [looping, setLooping] = useState(loop);
  const [showStats, setShowStats] = useState(false);
  const [speed, setSpeed] = useState(readStoredSpeed);
  const [captionPreferences, setCaptionPreferences] = useState(readStoredCaptionPreferences);

  const changeSpeed = useCallback((next: number) => {
    setSpeed(next);
    storePreference(SPEED_STORAGE_KEY, String(next));
  }, []);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    // The default rate survives the source (re)loads hls.js does; pitch stays natural at any speed.
    video.preservesPitch = true;
    video.defaultPlaybackRate = speed;
    video.playbackRate = speed;
  }, [speed]);
  const changeCaptionPreferences = useCallback((next: CaptionPreferences) => {
    setCaptionPreferences(next);
    storePreference(CAPTION_PREFERENCES_KEY, JSON.stringify(next));
  }, []);
  const showingCaptions = showingTrack(captions, captionPreferences);
  const cues = useCaptionCues(showingCaptions?.url ?? null);
  const captionsRef = useLatest({ captions, captionPreferences });

  // Touch: one tap toggles the controls, a double tap on a side seeks (touch-gestures.ts).
  const tapStateRef = useRef<TapState | null>(null);
  const lastPointerTypeRef = useRef('mouse');
  const controlsHiddenAtPointerDownRef = useRef(false);
  const hideTimerRef = useRef<number | undefined>(undefined);

  const onNextRef = useLatest(onNext);
  const onViewCountedRef = useLatest(onViewCounted);
  const trackerRef = useRef<WatchTimeTracker | null>(null);
  trackerRef.current ??= new WatchTimeTracker(() => onViewCountedRef.current?.());
  const onPlaybackPositionRef = useLatest(onPlaybackPosition);
  const onEndedRef = useLatest(onEnded);
  const startAtRef = useRef(startAtSeconds);
  const loopRef = useLatest(looping);
  const theaterRef = useLatest(theater);
  const onMiniPlayerRef = useLatest(onMiniPlayer);

  // Again whenever the callback changes: the element can outlive the page that first asked (the mini player).
  useEffect(() => {
    onMediaElement?.(videoRef.current);
    return () => onMediaElement?.(null);
  }, [onMediaElement]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.volume = readStoredVolume();
    video.muted = startMuted || readStoredMuted();
    // Applied once: afterwards the element is the source of truth (volumechange keeps state in sync).
  }, []);

  const revealControls = useCallback(() => {
    setControlsHidden(false);
    window.clearTimeout(hideTimerRef.current);
    hideTimerRef.current = window.setTimeout(() => {
      const video = videoRef.current;
      const focusInside = containerRef.current?.contains(document.activeElement) && document.activeElement !== video;
      if (video && !video.paused && !focusInside) setControlsHidden(true);
    }, CONTROLS_HIDE_DELAY_MS);
  }, []);
  useEffect(() => () => window.clearTimeout(hideTimerRef.current), []);

  const finishedRef = useRef(false);
  const togglePlay = useCallback(() => {
    const video = videoRef.current;
    if (!video) return;
    // After an end detected by the stall watchdog the element is not `ended`: replay from the start.
    if (finishedRef.current && video.paused) video.currentTime = 0;
    if (video.paused || video.ended) void video.play().catch(() => undefined);
    else video.pause();
  }, []);

  const runAction = useCallback(
    (action: PlayerAction) => {
      const video = videoRef.current;
      if (!video) return;
      switch (action.type) {
        case 'togglePlay':
          togglePlay();
          break;
        case 'seekBy':
          video.currentTime = clampSeek(video.currentTime, action.seconds, video.duration);
          showFlash(`${action.seconds > 0 ? '+' : '−'}${Math.abs(action.seconds)}s`);
          break;
        case 'seekToFraction':
          if (Number.isFinite(video.duration)) video.currentTime = video.duration * action.fraction;
          break;
        case 'toggleFullscreen':
          toggleFullscreen();
          break;
        case 'toggleMute':
          video.muted = !video.muted;
          showFlash(video.muted ? 'Muted' : `Volume ${Math.round(video.volume * 100)}%`);
          break;
        case 'changeVolume':
          video.volume = Math.min(1, Math.max(0, Math.round((video.volume + action.delta) * 100) / 100));
          if (video.volume > 0) video.muted = false;
          showFlash(`Volume ${Math.round(video.volume * 100)}%`);
          break;
        case 'changeSpeed': {
          const next = stepSpeed(video.playbackRate, action.direction);
          changeSpeed(next);
          showFlash(`${next}×`);
          break;
        }
        case 'next':
          onNextRef.current?.();
          break;
        case 'toggleTheater':
          theaterRef.current?.onToggle();
          break;
        case 'miniPlayer':
          onMiniPlayerRef.current?.();
          break;
        case 'toggleCaptions': {
          const { captions: tracks, captionPreferences: preferences } = captionsRef.current;
          if (tracks.length === 0) break;
          const next = toggleCaptions(tracks, preferences);
          changeCaptionPreferences(next);
          showFlash(showingTrack(tracks, next) ? `Captions: ${showingTrack(tracks, next)!.label}` : 'Captions off');
          break;
        }
      }
      revealControls();
    },
    [togglePlay, toggleFullscreen, showFlash, revealControls, changeCaptionPreferences, changeSpeed, captionsRef, onNextRef, theaterRef, onMiniPlayerRef],
  );

  useEffect(() => {
    if (!keyboardShortcuts) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isKeyForSomethingElse(event)) return;
      const action = actionForKey(event);
      if (!action) return;
      event.preventDefault();
      runAction(action);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [runAction, keyboardShortcuts]);

  const finishPlayback = useCallback(() => {
    const video = videoRef.current;
    if (loopRef.current && video) {
      // With `loop` the element starts again by itself, except when an hls.js stream stalls just short of the end.
      video.currentTime = 0;
      void video.play().catch(() => undefined);
      return;
    }
    finishedRef.current = true;
    markFinished();
    setControlsHidden(false);
    trackerRef.current?.recordEnded();
    onEndedRef.current?.();
  }, [loopRef, markFinished, onEndedRef]);

  // A stall right before the end that never resolves is the end (see end-of-stream.ts).
  const endStallTimerRef = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(endStallTimerRef.current), []);
  const watchForEndStall = () => {
    const video = videoRef.current;
    if (!video || !isStalledAtEnd(video.currentTime, video.duration, bufferedEndAt(video.buffered, video.currentTime), playback.durationSeconds)) return;
    const stalledAt = video.currentTime;
    window.clearTimeout(endStallTimerRef.current);
    endStallTimerRef.current = window.setTimeout(() => {
      if (video.paused || video.ended || Math.abs(video.currentTime - stalledAt) > 0.05) return;
      video.pause();
      finishPlayback();
    }, END_STALL_WAIT_MS);
  };

  const { playing, ended, hasStarted, waiting } = media;
  const error = stream.fatalError ?? mediaError;
  const state = ended ? 'ended' : playing ? 'playing' : 'paused';
  const pictureInPictureAvailable = typeof document !== 'undefined' && document.pictureInPictureEnabled;

  return (
    <div
      ref={containerRef}
      className="player"
      data-testid="player"
      data-engine={stream.engine}
      data-levels={stream.levels.length}
      data-current-level={stream.currentLevel}
      data-selected-level={stream.selectedLevel}
      data-start-level={stream.startLevel}
      data-first-level={stream.firstLevel}
      data-state={state}
      data-controls-hidden={controlsHidden || undefined}
      onPointerMove={revealControls}
      onPointerDown={revealControls}
      onFocus={revealControls}
    >
      <video
        ref={videoRef}
        data-testid="player-video"
        poster={playback.thumbnailUrl ?? undefined}
        playsInline
        autoPlay={autoPlay}
        loop={looping}
        preload="metadata"
        aria-label={title}
        onPointerDown={(event) => {
          lastPointerTypeRef.current = event.pointerType;
          controlsHiddenAtPointerDownRef.current = controlsHidden;
        }}
        onPointerUp={(event) => {
          if (event.pointerType !== 'touch') return;
          const box = event.currentTarget.getBoundingClientRect();
          const at = performance.now();
          const result = tap(tapStateRef.current, at, tapZone(event.clientX - box.left, box.width));
          tapStateRef.current = result.state;
          if (result.outcome.type === 'seek') {
            runAction({ type: 'seekBy', seconds: result.outcome.seconds });
            return;
          }
          const wereHidden = controlsHiddenAtPointerDownRef.current;
          window.setTimeout(() => {
            if (!isSingleTap(tapStateRef.current, at)) return;
            if (wereHidden || videoRef.current?.paused) revealControls();
            else {
              window.clearTimeout(hideTimerRef.current);
              setControlsHidden(true);
            }
          }, DOUBLE_TAP_MS);
        }}
        onClick={() => {
          // Touch taps are handled on pointerup; a tap must not pause (YouTube shows the controls instead).
          if (lastPointerTypeRef.current !== 'touch') togglePlay();
        }}
        onDoubleClick={() => {
          if (lastPointerTypeRef.current !== 'touch') toggleFullscreen();
        }}
        onPlay={() => {
          finishedRef.current = false;
          revealControls();
        }}
        onPause={(event) => {
          setControlsHidden(false);
          trackerRef.current?.interrupt();
          onPlaybackPositionRef.current?.(event.currentTarget.currentTime, 'stopped');
        }}
        onEnded={() => {
          window.clearTimeout(endStallTimerRef.current);
          if (!finishedRef.current) finishPlayback();
        }}
        onLoadedMetadata={(event) => {
          // hls.js was handed the position (it loads from there); the browser's own HLS is seeked once it knows the length.
          const video = event.currentTarget;
          video.playbackRate = speed;
          const startAt = startAtRef.current;
          startAtRef.current = null;
          if (engineRef.current === 'hls.js') return;
          if (startAt !== null && startAt > 0 && (!Number.isFinite(video.duration) || startAt < video.duration - 1)) video.currentTime = startAt;
        }}
        onSeeked={(event) => {
          if (event.currentTarget.paused) onPlaybackPositionRef.current?.(event.currentTarget.currentTime, 'stopped');
        }}
        onWaiting={watchForEndStall}
        onSeeking={() => trackerRef.current?.interrupt()}
        onTimeUpdate={(event) => {
          const video = event.currentTarget;
          if (!video.paused && !video.seeking) {
            trackerRef.current?.recordPosition(video.currentTime);
            onPlaybackPositionRef.current?.(video.currentTime, 'playing');
          }
        }}
        onVolumeChange={(event) => {
          if (!rememberVolume) return;
          storePreference(VOLUME_STORAGE_KEY, String(event.currentTarget.volume));
          storePreference(MUTED_STORAGE_KEY, event.currentTarget.muted ? '1' : '0');
        }}
        onError={(event) => {
          // With hls.js the element's src is a MediaSource blob; its errors are reported by hls.js.
          if (stream.engine === 'native' && event.currentTarget.error) setMediaError('This video could not be played.');
        }}
      />

      <div className="player-overlay">
        {error ? (
          <div className="player-message" role="alert">
            {error}
          </div>
        ) : waiting && playing ? (
          <Spinner label="Buffering" />
        ) : ended && endScreen ? (
          <div className="player-end-screen">{endScreen}</div>
        ) : !playing && (!hasStarted || ended) ? (
          <button type="button" className="player-big-play" aria-label={ended ? 'Replay' : 'Play'} onClick={togglePlay} data-testid="big-play">
            <Icon name={ended ? 'replay' : 'play'} size={36} />
          </button>
        ) : null}
      </div>
      {showingCaptions ? <CaptionOverlay track={showingCaptions} cues={cues} currentTime={media.currentTime} preferences={captionPreferences} /> : null}
      {showStats && videoRef.current ? <StatsOverlay video={videoRef.current} stream={stream} onClose={() => setShowStats(false)} /> : null}
      {flash ? (
        <div className="player-flash" key={flash.key} aria-hidden="true">
          {flash.text}
        </div>
      ) : null}

      <ControlBar
        media={media}
        stream={stream}
        hidden={!controls}
        storyboard={storyboard}
        chapters={chapters}
        captions={captions}
        showingCaptions={showingCaptions}
        captionPreferences={captionPreferences}
        onCaptionPreferences={changeCaptionPreferences}
        speed={speed}
        onSpeed={changeSpeed}
        loop={{
          enabled: looping,
          onToggle: () => {
            setLooping((value) => !value);
            showFlash(looping ? 'Loop off' : 'Loop on');
          },
        }}
        stats={{ enabled: showStats, onToggle: () => setShowStats((value) => !value) }}
        fullscreen={{ enabled: fullscreen, onToggle: toggleFullscreen }}
        autoplayNext={autoplayNext}
        theater={theater}
        onMiniPlayer={onMiniPlayer}
        onPictureInPicture={
          pictureInPictureAvailable
            ? () => {
                const video = videoRef.current;
                if (!video) return;
                if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => undefined);
                else void video.requestPictureInPicture().catch(() => showFlash('Picture-in-picture is not available'));
              }
            : undefined
        }
        onTogglePlay={togglePlay}
        onToggleMute={() => runAction({ type: 'toggleMute' })}
        onVolume={(volume) => {
          const video = videoRef.current;
          if (!video) return;
          video.volume = volume;
          video.muted = volume === 0;
        }}
        onSeek={(seconds) => {
          const video = videoRef.current;
          if (video) video.currentTime = seconds;
        }}
      />
    </div>
  );
}
