import { useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { chapterAt, type Chapter } from '@tube/shared';
import { formatDuration } from '../lib/format.ts';
import { findStoryboardTile, type StoryboardTile } from '../lib/storyboard.ts';

interface SeekBarProps {
  currentTime: number;
  duration: number;
  bufferedEnd: number;
  storyboard: StoryboardTile[];
  chapters: readonly Chapter[];
  onSeek(seconds: number): void;
}

/** The seek bar: buffered and played ranges, chapter gaps, and the storyboard preview while hovering or scrubbing by touch. */
export function SeekBar({ currentTime, duration, bufferedEnd, storyboard, chapters, onSeek }: SeekBarProps) {
  const barRef = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ seconds: number; left: number; barWidth: number } | null>(null);
  const safeDuration = duration > 0 && Number.isFinite(duration) ? duration : 0;
  const percent = (value: number) => (safeDuration > 0 ? `${Math.min(100, (value / safeDuration) * 100)}%` : '0%');

  // Mouse: the preview follows the pointer. Touch: it shows while the finger scrubs, and goes when it lifts.
  const onPointerMove = (event: ReactPointerEvent<HTMLDivElement>) => {
    const bar = barRef.current;
    if (!bar || safeDuration === 0) return;
    const rect = bar.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    setHover({ seconds: fraction * safeDuration, left: fraction * rect.width, barWidth: rect.width });
  };

  const tile = hover ? findStoryboardTile(storyboard, hover.seconds) : null;
  const previewHalfWidth = tile ? tile.width / 2 : 24;
  const previewLeft = hover ? Math.min(Math.max(hover.left, previewHalfWidth), Math.max(previewHalfWidth, hover.barWidth - previewHalfWidth)) : 0;

  return (
    <div
      className="seekbar"
      ref={barRef}
      onPointerDown={(event) => {
        if (event.pointerType === 'touch') onPointerMove(event);
      }}
      onPointerMove={onPointerMove}
      onPointerUp={(event) => {
        if (event.pointerType === 'touch') setHover(null);
      }}
      onPointerCancel={() => setHover(null)}
      onPointerLeave={() => setHover(null)}
    >
      <div className="seekbar-track">
        <div className="seekbar-buffered" style={{ width: percent(bufferedEnd) }} />
        <div className="seekbar-played" style={{ width: percent(currentTime) }} />
        {safeDuration > 0
          ? chapters
              .slice(1)
              .map((chapter) => (
                <span
                  key={chapter.startSeconds}
                  className="seekbar-chapter-gap"
                  style={{ left: percent(chapter.startSeconds) }}
                  data-testid="chapter-mark"
                  title={chapter.title}
                />
              ))
          : null}
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
          {chapters.length > 0 ? <span className="seek-preview-chapter">{chapterAt(chapters, hover.seconds)?.title}</span> : null}
          <span className="seek-preview-time">{formatDuration(hover.seconds)}</span>
        </div>
      ) : null}
    </div>
  );
}
