import { chapterAt, type CaptionTrack, type Chapter } from '@tube/shared';
import { Icon, type IconName } from '../components/Icon.tsx';
import type { CaptionPreferences } from '../lib/captions.ts';
import { formatDuration } from '../lib/format.ts';
import type { StoryboardTile } from '../lib/storyboard.ts';
import { CaptionsMenu } from './CaptionsMenu.tsx';
import { QualityMenu } from './QualityMenu.tsx';
import { SeekBar } from './SeekBar.tsx';
import { SpeedMenu } from './SpeedMenu.tsx';
import type { MediaState } from './use-media-state.ts';
import type { StreamState } from './use-stream.ts';

export interface Toggle {
  enabled: boolean;
  onToggle(): void;
}

/** One round button of the bar; `pressed` makes it a toggle (aria-pressed). */
function ControlButton({ label, icon, pressed, testId, onClick }: { label: string; icon: IconName; pressed?: boolean; testId?: string; onClick(): void }) {
  return (
    <button type="button" className="icon-button" aria-label={label} aria-pressed={pressed} data-testid={testId} onClick={onClick}>
      <Icon name={icon} />
    </button>
  );
}

interface ControlBarProps {
  media: MediaState;
  stream: StreamState;
  hidden: boolean;
  storyboard: StoryboardTile[];
  chapters: readonly Chapter[];
  captions: readonly CaptionTrack[];
  showingCaptions: CaptionTrack | null;
  captionPreferences: CaptionPreferences;
  onCaptionPreferences(next: CaptionPreferences): void;
  speed: number;
  onSpeed(next: number): void;
  loop: Toggle;
  stats: Toggle;
  fullscreen: Toggle;
  autoplayNext?: Toggle | undefined;
  theater?: Toggle | undefined;
  /** Shown when the browser offers picture-in-picture. */
  onPictureInPicture?: (() => void) | undefined;
  /** The mini player button (`i`), where the app has one. */
  onMiniPlayer?: (() => void) | undefined;
  onTogglePlay(): void;
  onToggleMute(): void;
  onVolume(volume: number): void;
  onSeek(seconds: number): void;
}

/** The seek bar and the row of buttons under the video. */
export function ControlBar({
  media,
  stream,
  hidden,
  storyboard,
  chapters,
  captions,
  showingCaptions,
  captionPreferences,
  onCaptionPreferences,
  speed,
  onSpeed,
  loop,
  stats,
  fullscreen,
  autoplayNext,
  theater,
  onPictureInPicture,
  onMiniPlayer,
  onTogglePlay,
  onToggleMute,
  onVolume,
  onSeek,
}: ControlBarProps) {
  const { playing, ended, muted, volume, currentTime, duration } = media;
  return (
    <div className="player-controls" hidden={hidden}>
      <SeekBar currentTime={currentTime} duration={duration} bufferedEnd={media.bufferedEnd} storyboard={storyboard} chapters={chapters} onSeek={onSeek} />
      <div className="player-buttons">
        <ControlButton label={playing ? 'Pause (k)' : 'Play (k)'} icon={ended ? 'replay' : playing ? 'pause' : 'play'} onClick={onTogglePlay} />
        <ControlButton
          label={muted || volume === 0 ? 'Unmute (m)' : 'Mute (m)'}
          icon={muted || volume === 0 ? 'volumeOff' : 'volumeUp'}
          onClick={onToggleMute}
        />
        <input
          className="player-volume"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={muted ? 0 : volume}
          aria-label="Volume"
          onChange={(event) => onVolume(Number(event.target.value))}
        />
        <span className="player-time">
          {formatDuration(currentTime)} / {formatDuration(duration)}
        </span>
        {chapters.length > 0 ? (
          <span className="player-chapter" data-testid="player-chapter">
            {chapterAt(chapters, currentTime)?.title ?? ''}
          </span>
        ) : null}
        <span className="player-spacer" />
        {autoplayNext ? (
          <button
            type="button"
            className="icon-button player-autoplay"
            role="switch"
            aria-checked={autoplayNext.enabled}
            aria-label={autoplayNext.enabled ? 'Autoplay is on' : 'Autoplay is off'}
            data-testid="autoplay-switch"
            onClick={autoplayNext.onToggle}
          >
            <span className="player-autoplay-track" aria-hidden="true">
              <span className="player-autoplay-thumb" />
            </span>
          </button>
        ) : null}
        <SpeedMenu speed={speed} onSelect={onSpeed} />
        {captions.length > 0 ? (
          <CaptionsMenu tracks={captions} showing={showingCaptions} preferences={captionPreferences} onChange={onCaptionPreferences} />
        ) : null}
        <QualityMenu
          engine={stream.engine}
          levels={stream.levels}
          currentLevel={stream.currentLevel}
          selectedLevel={stream.selectedLevel}
          onSelect={stream.selectLevel}
          extraItems={[{ label: stats.enabled ? 'Hide stats for nerds' : 'Stats for nerds', onSelect: stats.onToggle }]}
        />
        <ControlButton label={loop.enabled ? 'Loop is on' : 'Loop is off'} icon="loop" pressed={loop.enabled} testId="loop-button" onClick={loop.onToggle} />
        {onMiniPlayer ? <ControlButton label="Mini player (i)" icon="miniPlayer" testId="mini-player-button" onClick={onMiniPlayer} /> : null}
        {onPictureInPicture ? (
          <ControlButton
            label={media.pictureInPicture ? 'Exit picture-in-picture' : 'Picture-in-picture'}
            icon="pictureInPicture"
            testId="pip-button"
            onClick={onPictureInPicture}
          />
        ) : null}
        {theater ? (
          <ControlButton
            label={theater.enabled ? 'Default view (t)' : 'Theater mode (t)'}
            icon="theater"
            pressed={theater.enabled}
            testId="theater-button"
            onClick={theater.onToggle}
          />
        ) : null}
        <ControlButton
          label={fullscreen.enabled ? 'Exit full screen (f)' : 'Full screen (f)'}
          icon={fullscreen.enabled ? 'fullscreenExit' : 'fullscreen'}
          onClick={fullscreen.onToggle}
        />
      </div>
    </div>
  );
}
