/**
 * Taps on the video by touch, as in the YouTube apps: one tap shows or hides the controls (it does not pause);
 * a double tap on the left or right third seeks 10 s back or forward, and each further quick tap on the same
 * side another 10 s. Pure: the player feeds it taps and runs what it returns.
 */

export const DOUBLE_TAP_MS = 300;
export const TAP_SEEK_SECONDS = 10;

export type TapZone = 'left' | 'middle' | 'right';
export type TapOutcome = { type: 'wait' } | { type: 'seek'; seconds: number };

export interface TapState {
  lastTapAt: number;
  zone: TapZone;
  /** Taps in the current run of quick taps on one side. */
  count: number;
}

export function tapZone(x: number, width: number): TapZone {
  if (width <= 0) return 'middle';
  const fraction = x / width;
  return fraction < 1 / 3 ? 'left' : fraction > 2 / 3 ? 'right' : 'middle';
}

/**
 * A tap at `now` in `zone`. The outcome is what to do at once; `wait` means "if no other tap comes within
 * DOUBLE_TAP_MS, it was a single tap" (the caller then toggles the controls).
 */
export function tap(state: TapState | null, now: number, zone: TapZone): { state: TapState; outcome: TapOutcome } {
  const quick = state !== null && now - state.lastTapAt <= DOUBLE_TAP_MS && state.zone === zone;
  const count = quick ? state.count + 1 : 1;
  const next = { lastTapAt: now, zone, count };
  if (count >= 2 && zone !== 'middle') return { state: next, outcome: { type: 'seek', seconds: zone === 'left' ? -TAP_SEEK_SECONDS : TAP_SEEK_SECONDS } };
  return { state: next, outcome: { type: 'wait' } };
}

/** Whether the tap at `tapAt` stayed single: no later tap arrived before the double-tap window closed. */
export const isSingleTap = (state: TapState | null, tapAt: number) => state !== null && state.lastTapAt === tapAt && state.count === 1;
