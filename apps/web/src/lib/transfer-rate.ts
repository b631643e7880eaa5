/** Weight of the newest sample: high enough to follow real changes, low enough to smooth chunk bursts. */
const SMOOTHING = 0.3;
/** Samples closer together than this say little about throughput. */
const MIN_SAMPLE_INTERVAL_MS = 250;

/** Smoothed upload speed and time left from (bytes sent, time) samples. */
export class TransferRateEstimator {
  #lastBytes: number | null = null;
  #lastTime = 0;
  #bytesPerSecond: number | null = null;

  get bytesPerSecond(): number | null {
    return this.#bytesPerSecond;
  }

  sample(bytesSent: number, timeMs: number): void {
    if (this.#lastBytes === null || bytesSent < this.#lastBytes) {
      // First sample, or the transfer restarted (resume re-reads the offset): start over.
      this.#lastBytes = bytesSent;
      this.#lastTime = timeMs;
      return;
    }
    const elapsedMs = timeMs - this.#lastTime;
    if (elapsedMs < MIN_SAMPLE_INTERVAL_MS) return;
    const instantRate = ((bytesSent - this.#lastBytes) * 1000) / elapsedMs;
    this.#bytesPerSecond = this.#bytesPerSecond === null ? instantRate : this.#bytesPerSecond * (1 - SMOOTHING) + instantRate * SMOOTHING;
    this.#lastBytes = bytesSent;
    this.#lastTime = timeMs;
  }

  /** Forget the history (after a pause, the old speed no longer applies). */
  reset(): void {
    this.#lastBytes = null;
    this.#bytesPerSecond = null;
  }

  secondsRemaining(bytesSent: number, bytesTotal: number): number | null {
    if (!this.#bytesPerSecond || this.#bytesPerSecond <= 0) return null;
    return Math.max(0, bytesTotal - bytesSent) / this.#bytesPerSecond;
  }
}
