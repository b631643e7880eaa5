import { describe, expect, it } from 'vitest';
import { DOUBLE_TAP_MS, isSingleTap, tap, tapZone, type TapState } from '../src/player/touch-gestures.ts';

describe('touch gestures on the video', () => {
  it('splits the video into thirds', () => {
    expect(tapZone(10, 390)).toBe('left');
    expect(tapZone(195, 390)).toBe('middle');
    expect(tapZone(380, 390)).toBe('right');
    expect(tapZone(5, 0)).toBe('middle');
  });

  it('one tap waits to see whether it stays single (then the controls toggle; it never pauses)', () => {
    const first = tap(null, 1000, 'right');
    expect(first.outcome).toEqual({ type: 'wait' });
    expect(isSingleTap(first.state, 1000)).toBe(true);
  });

  it('a double tap on a side seeks 10 s that way, each further quick tap 10 s more', () => {
    let state: TapState | null = null;
    const outcomes = [0, 200, 400, 600].map((at) => {
      const result = tap(state, at, 'right');
      state = result.state;
      return result.outcome;
    });
    expect(outcomes).toEqual([{ type: 'wait' }, { type: 'seek', seconds: 10 }, { type: 'seek', seconds: 10 }, { type: 'seek', seconds: 10 }]);
    expect(tap(tap(null, 0, 'left').state, 100, 'left').outcome).toEqual({ type: 'seek', seconds: -10 });
    // The first tap of a double tap is not a single tap.
    const double = tap(tap(null, 0, 'left').state, 100, 'left');
    expect(isSingleTap(double.state, 0)).toBe(false);
  });

  it('slow taps, taps on different sides and the middle are single taps', () => {
    const slow = tap(tap(null, 0, 'right').state, DOUBLE_TAP_MS + 1, 'right');
    expect(slow.outcome).toEqual({ type: 'wait' });
    expect(tap(tap(null, 0, 'left').state, 100, 'right').outcome).toEqual({ type: 'wait' });
    expect(tap(tap(null, 0, 'middle').state, 100, 'middle').outcome).toEqual({ type: 'wait' });
  });
});
