/** Playback before the first save, so a short look still lands in the history. */
export const FIRST_SAVE_AFTER_SECONDS = 3;
/** Seconds of wall-clock time between saves while playing. */
export const SAVE_INTERVAL_SECONDS = 10;

/**
 * Decides when to store the viewer's position (for "resume" and the history): a few seconds into
 * playback, then every SAVE_INTERVAL_SECONDS while playing, and whenever playback pauses, ends or the
 * page is left. Never sends the same position twice in a row.
 */
export class ProgressSaver {
  #lastSavedPosition: number | null = null;
  #lastSaveAt: number | null = null;
  #playingSince: number | null = null;
  #position = 0;

  constructor(private readonly save: (positionSeconds: number, leaving: boolean) => void) {}

  /** Call on every `timeupdate` while playing; `nowMs` is a monotonic clock (performance.now()). */
  recordPlaying(positionSeconds: number, nowMs: number): void {
    this.#position = positionSeconds;
    this.#playingSince ??= nowMs;
    const due =
      this.#lastSaveAt === null ? nowMs - this.#playingSince >= FIRST_SAVE_AFTER_SECONDS * 1000 : nowMs - this.#lastSaveAt >= SAVE_INTERVAL_SECONDS * 1000;
    if (due) this.#saveAt(positionSeconds, nowMs, false);
  }

  /** Call on `pause` and `seeked` while paused: the position the viewer chose to stop at. */
  recordStopped(positionSeconds: number, nowMs: number): void {
    this.#position = positionSeconds;
    this.#playingSince = null;
    if (this.#lastSaveAt !== null || positionSeconds > 0) this.#saveAt(positionSeconds, nowMs, false);
  }

  /** Call when leaving the video (navigation, closing the tab). */
  flush(nowMs: number): void {
    if (this.#lastSaveAt === null && this.#position === 0) return;
    this.#saveAt(this.#position, nowMs, true);
  }

  #saveAt(positionSeconds: number, nowMs: number, leaving: boolean): void {
    this.#lastSaveAt = nowMs;
    const rounded = Math.round(positionSeconds * 10) / 10;
    if (rounded === this.#lastSavedPosition) return;
    this.#lastSavedPosition = rounded;
    this.save(rounded, leaving);
  }
}
