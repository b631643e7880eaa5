import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { Icon } from '../components/Icon.tsx';
import { Spinner } from '../components/ui.tsx';
import { formatDuration } from '../lib/format.ts';
import { findStoryboardTile, type StoryboardTile } from '../lib/storyboard.ts';
import { QualityMenu } from './QualityMenu.tsx';
import { bufferedEndAt, END_STALL_WAIT_MS, isStalledAtEnd } from './end-of-stream.ts';
import { actionForKey, clampSeek, type PlayerAction } from './shortcuts.ts';
import { useStoryboard } from './use-storyboard.ts';
import { useStream } from './use-stream.ts';
import { WatchTimeTracker } from './watch-time.ts';

const CONTROLS_HIDE_DELAY_MS = 2500;
const VOLUME_STORAGE_KEY = 'tube.volume';
const MUTED_STORAGE_KEY = 'tube.muted';

interface WebKitVideoElement extends HTMLVideoElement {
  webkitEnterFullscreen?: () => void;
}

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
}

function readStoredNumber(key: string, fallback: number): number {
  try {
    const value = Number(window.localStorage.getItem(key));
    return window.localStorage.getItem(key) !== null && Number.isFinite(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Preferences are a convenience.
  }
}

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

export function Player({ playback, title, onViewCounted, startAtSeconds = null, onPlaybackPosition, onEnded }: PlayerProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const stream = useStream(videoRef, playback.hlsUrl);
  const storyboard = useStoryboard(playback.storyboardVttUrl);

  const [playing, setPlaying] = useState(false);
  const [ended, setEnded] = useState(false);
  const [hasStarted, setHasStarted] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [currentTime, setCurrentTime] = useState(0);
  const [duration, setDuration] = useState(playback.durationSeconds ?? 0);
  const [bufferedEnd, setBufferedEnd] = useState(0);
  const [volume, setVolume] = useState(() => Math.min(1, Math.max(0, readStoredNumber(VOLUME_STORAGE_KEY, 1))));
  const [muted, setMuted] = useState(() => readStoredNumber(MUTED_STORAGE_KEY, 0) === 1);
  const [fullscreen, setFullscreen] = useState(false);
  const [controlsHidden, setControlsHidden] = useState(false);
  const [flash, setFlash] = useState<{ text: string; key: number } | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const hideTimerRef = useRef<number | undefined>(undefined);

  const onViewCountedRef = useRef(onViewCounted);
  onViewCountedRef.current = onViewCounted;
  const trackerRef = useRef<WatchTimeTracker | null>(null);
  trackerRef.current ??= new WatchTimeTracker(() => onViewCountedRef.current?.());
  const onPlaybackPositionRef = useRef(onPlaybackPosition);
  onPlaybackPositionRef.current = onPlaybackPosition;
  const onEndedRef = useRef(onEnded);
  onEndedRef.current = onEnded;
  const startAtRef = useRef(startAtSeconds);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.volume = volume;
    video.muted = muted;
    // Applied once: afterwards the element is the source of truth (volumechange keeps state in sync).
  }, []);

  const showFlash = useCallback((text: string) => setFlash({ text, key: Date.now() }), []);
  useEffect(() => {
    if (!flash) return;
    const timer = window.setTimeout(() => setFlash(null), 700);
    return () => window.clearTimeout(timer);
  }, [flash]);

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

  const toggleFullscreen = useCallback(() => {
    const container = containerRef.current;
    const video = videoRef.current as WebKitVideoElement | null;
    if (!container || !video) return;
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
    } else if (document.fullscreenEnabled && typeof container.requestFullscreen === 'function') {
      void container.requestFullscreen().catch(() => undefined);
    } else {
      // iPhone Safari only allows the video element itself to go fullscreen.
      video.webkitEnterFullscreen?.();
    }
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
      }
      revealControls();
    },
    [togglePlay, toggleFullscreen, showFlash, revealControls],
  );

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isKeyForSomethingElse(event)) return;
      const action = actionForKey(event);
      if (!action) return;
      event.preventDefault();
      runAction(action);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [runAction]);

  useEffect(() => {
    const onFullscreenChange = () => setFullscreen(document.fullscreenElement === containerRef.current);
    document.addEventListener('fullscreenchange', onFullscreenChange);
    return () => document.removeEventListener('fullscreenchange', onFullscreenChange);
  }, []);

  const updateBuffered = () => {
    const video = videoRef.current;
    if (!video) return;
    setBufferedEnd(bufferedEndAt(video.buffered, video.currentTime));
  };

  const finishPlayback = useCallback(() => {
    finishedRef.current = true;
    setEnded(true);
    setPlaying(false);
    setControlsHidden(false);
    trackerRef.current?.recordEnded();
    onEndedRef.current?.();
  }, []);

  // A stall right before the end that never resolves is the end (see end-of-stream.ts).
  const endStallTimerRef = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(endStallTimerRef.current), []);
  const watchForEndStall = () => {
    const video = videoRef.current;
    if (!video || !isStalledAtEnd(video.currentTime, video.duration, bufferedEndAt(video.buffered, video.currentTime))) return;
    const stalledAt = video.currentTime;
    window.clearTimeout(endStallTimerRef.current);
    endStallTimerRef.current = window.setTimeout(() => {
      if (video.paused || video.ended || Math.abs(video.currentTime - stalledAt) > 0.05) return;
      video.pause();
      finishPlayback();
    }, END_STALL_WAIT_MS);
  };

  const error = stream.fatalError ?? mediaError;
  const state = ended ? 'ended' : playing ? 'playing' : 'paused';

  return (
    <div
      ref={containerRef}
      className="player"
      data-testid="player"
      data-engine={stream.engine}
      data-levels={stream.levels.length}
      data-current-level={stream.currentLevel}
      data-selected-level={stream.selectedLevel}
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
        autoPlay
        preload="metadata"
        aria-label={title}
        onClick={togglePlay}
        onDoubleClick={toggleFullscreen}
        onPlay={() => {
          finishedRef.current = false;
          setPlaying(true);
          setEnded(false);
          setHasStarted(true);
          revealControls();
        }}
        onPause={(event) => {
          setPlaying(false);
          setControlsHidden(false);
          trackerRef.current?.interrupt();
          onPlaybackPositionRef.current?.(event.currentTarget.currentTime, 'stopped');
        }}
        onEnded={() => {
          window.clearTimeout(endStallTimerRef.current);
          if (!finishedRef.current) finishPlayback();
        }}
        onLoadedMetadata={(event) => {
          // Resume once, and not when the saved spot is the very end (the viewer would see nothing).
          const video = event.currentTarget;
          const startAt = startAtRef.current;
          startAtRef.current = null;
          if (startAt !== null && startAt > 0 && (!Number.isFinite(video.duration) || startAt < video.duration - 1)) video.currentTime = startAt;
        }}
        onSeeked={(event) => {
          if (event.currentTarget.paused) onPlaybackPositionRef.current?.(event.currentTarget.currentTime, 'stopped');
        }}
        onWaiting={() => {
          setWaiting(true);
          watchForEndStall();
        }}
        onPlaying={() => setWaiting(false)}
        onCanPlay={() => setWaiting(false)}
        onSeeking={() => trackerRef.current?.interrupt()}
        onTimeUpdate={(event) => {
          const video = event.currentTarget;
          setCurrentTime(video.currentTime);
          if (!video.paused && !video.seeking) {
            trackerRef.current?.recordPosition(video.currentTime);
            onPlaybackPositionRef.current?.(video.currentTime, 'playing');
          }
        }}
        onDurationChange={(event) => {
          if (Number.isFinite(event.currentTarget.duration)) setDuration(event.currentTarget.duration);
        }}
        onProgress={updateBuffered}
        onVolumeChange={(event) => {
          const video = event.currentTarget;
          setVolume(video.volume);
          setMuted(video.muted);
          store(VOLUME_STORAGE_KEY, String(video.volume));
          store(MUTED_STORAGE_KEY, video.muted ? '1' : '0');
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
        ) : !playing && (!hasStarted || ended) ? (
          <button type="button" className="player-big-play" aria-label={ended ? 'Replay' : 'Play'} onClick={togglePlay} data-testid="big-play">
            <Icon name={ended ? 'replay' : 'play'} size={36} />
          </button>
        ) : null}
      </div>
      {flash ? (
        <div className="player-flash" key={flash.key} aria-hidden="true">
          {flash.text}
        </div>
      ) : null}

      <div className="player-controls">
        <SeekBar
          currentTime={currentTime}
          duration={duration}
          bufferedEnd={bufferedEnd}
          storyboard={storyboard}
          onSeek={(seconds) => {
            const video = videoRef.current;
            if (video) video.currentTime = seconds;
          }}
        />
        <div className="player-buttons">
          <button type="button" className="icon-button" aria-label={playing ? 'Pause (k)' : 'Play (k)'} onClick={togglePlay}>
            <Icon name={ended ? 'replay' : playing ? 'pause' : 'play'} />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={muted || volume === 0 ? 'Unmute (m)' : 'Mute (m)'}
            onClick={() => runAction({ type: 'toggleMute' })}
          >
            <Icon name={muted || volume === 0 ? 'volumeOff' : 'volumeUp'} />
          </button>
          <input
            className="player-volume"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={muted ? 0 : volume}
            aria-label="Volume"
            onChange={(event) => {
              const video = videoRef.current;
              if (!video) return;
              video.volume = Number(event.target.value);
              video.muted = video.volume === 0;
            }}
          />
          <span className="player-time">
            {formatDuration(currentTime)} / {formatDuration(duration)}
          </span>
          <span className="player-spacer" />
          <QualityMenu
            engine={stream.engine}
            levels={stream.levels}
            currentLevel={stream.currentLevel}
            selectedLevel={stream.selectedLevel}
            onSelect={stream.selectLevel}
          />
          <button type="button" className="icon-button" aria-label={fullscreen ? 'Exit full screen (f)' : 'Full screen (f)'} onClick={toggleFullscreen}>
            <Icon name={fullscreen ? 'fullscreenExit' : 'fullscreen'} />
          </button>
        </div>
      </div>
    </div>
  );
}

interface SeekBarProps {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  storyboard: StoryboardTile[];
  onSeek(seconds: number): void;
}

function SeekBar({ currentTime, duration, bufferedEnd, storyboard, onSeek }: SeekBarProps) {
  const barRef = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ seconds: number; left: number; barWidth: number } | null>(null);
  const safeDuration = duration > 0 && Number.isFinite(duration) ? duration : 0;
  const percent = (value: number) => (safeDuration > 0 ? `${Math.min(100, (value / safeDuration) * 100)}%` : '0%');

  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    const bar = barRef.current;
    if (!bar || safeDuration === 0 || event.pointerType === 'touch') return;
    const rect = bar.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    setHover({ seconds: fraction * safeDuration, left: fraction * rect.width, barWidth: rect.width });
  };

  const tile = hover ? findStoryboardTile(storyboard, hover.seconds) : null;
  const previewHalfWidth = tile ? tile.width / 2 : 24;
  const previewLeft = hover ? Math.min(Math.max(hover.left, previewHalfWidth), Math.max(previewHalfWidth, hover.barWidth - previewHalfWidth)) : 0;

  return (
    <div className="seekbar" ref={barRef} onPointerMove={onPointerMove} onPointerLeave={() => setHover(null)}>
      <div className="seekbar-track">
        <div className="seekbar-buffered" style={{ width: percent(bufferedEnd) }} />
        <div className="seekbar-played" style={{ width: percent(currentTime) }} />
      </div>
      <input
        type="range"
        min={0}
        max={safeDuration || 1}
        step="any"
        value={Math.min(currentTime, safeDuration || 1)}
        aria-label="Seek"
        aria-valuetext={`${formatDuration(currentTime)} of ${formatDuration(safeDuration)}`}
        onChange={(event) => onSeek(Number(event.target.value))}
      />
      {hover ? (
        <div className="seek-preview" style={{ left: previewLeft }} data-testid="seek-preview">
          {tile ? (
            <div
              className="seek-preview-image"
              style={{
                width: tile.width,
                height: tile.height,
                backgroundImage: `url("${tile.imageUrl}")`,
                backgroundPosition: `${-tile.x}px ${-tile.y}px`,
              }}
            />
          ) : null}
          <span className="seek-preview-time">{formatDuration(hover.seconds)}</span>
        </div>
      ) : null}
    </div>
  );
}
