import { useEffect, useRef, useState } from 'react';
import type { Video } from '@tube/shared';
import { UP_NEXT_COUNTDOWN_SECONDS } from '../../lib/up-next.ts';

/** The end screen: the next video, and with autoplay on a countdown to it that the viewer can cancel. */
export function UpNextScreen({ video, autoplay, onPlay, onReplay }: { video: Video; autoplay: boolean; onPlay(): void; onReplay(): void }) {
  const [remaining, setRemaining] = useState(UP_NEXT_COUNTDOWN_SECONDS);
  const [cancelled, setCancelled] = useState(false);
  const counting = autoplay && !cancelled;
  const onPlayRef = useRef(onPlay);
  onPlayRef.current = onPlay;
  useEffect(() => {
    if (!counting) return;
    if (remaining <= 0) {
      onPlayRef.current();
      return;
    }
    const timer = window.setTimeout(() => setRemaining((value) => value - 1), 1000);
    return () => window.clearTimeout(timer);
  }, [counting, remaining]);
  return (
    <div className="up-next" data-testid="up-next" role="dialog" aria-label="Up next">
      <p className="up-next-heading">{counting ? `Up next in ${remaining}` : 'Up next'}</p>
      <button type="button" className="up-next-card" onClick={onPlay}>
        {video.thumbnailUrl ? <img src={video.thumbnailUrl} alt="" width={192} height={108} /> : null}
        <span className="up-next-title">{video.title}</span>
        <span className="muted">{video.channel.name}</span>
      </button>
      <div className="up-next-actions">
        {counting ? (
          <button type="button" className="button button-secondary" onClick={() => setCancelled(true)}>
            Cancel
          </button>
        ) : (
          <button type="button" className="button button-secondary" onClick={onReplay}>
            Replay
          </button>
        )}
        <button type="button" className="button button-primary" onClick={onPlay}>
          Play now
        </button>
      </div>
    </div>
  );
}
