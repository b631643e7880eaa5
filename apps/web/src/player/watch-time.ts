/** Seconds of playback before a view counts. */
export const VIEW_THRESHOLD_SECONDS = 5;
/** Position jumps larger than this between two timeupdate events are seeks, not playback. */
const MAX_PLAYBACK_STEP_SECONDS = 1.5;

/**
 * Decides when a page view has watched enough to count as a view: after VIEW_THRESHOLD_SECONDS of
 * actual playback (seeking forward does not count), or on reaching the end of a shorter video.
 * Reports at most once.
 */
export class WatchTimeTracker {
  #watchedSeconds = 0;
  #lastPosition: number | null = null;
  #reported = false;

  constructor(private readonly onViewCounted: () => void) {}

  get watchedSeconds(): number {
    return this.#watchedSeconds;
  }

  /** Call on every `timeupdate` while playing. */
  recordPosition(positionSeconds: number): void {
    if (this.#lastPosition !== null) {
      const step = positionSeconds - this.#lastPosition;
      if (step > 0 && step <= MAX_PLAYBACK_STEP_SECONDS) this.#watchedSeconds += step;
    }
    this.#lastPosition = positionSeconds;
    if (this.#watchedSeconds >= VIEW_THRESHOLD_SECONDS) this.#report();
  }

  /** Call on `seeking` and `pause`, so the next position starts a new stretch. */
  interrupt(): void {
    this.#lastPosition = null;
  }

  /** Call on `ended`: a short video watched to the end counts even below the threshold. */
  recordEnded(): void {
    if (this.#watchedSeconds > 0) this.#report();
  }

  #report(): void {
    if (this.#reported) return;
    this.#reported = true;
    this.onViewCounted();
  }
}
