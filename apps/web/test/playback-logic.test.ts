import { describe, expect, it } from 'vitest';
import { PLAYBACK_SPEEDS, readSpeed, stepSpeed } from '../src/player/playback-speed.ts';
import { actionForKey } from '../src/player/shortcuts.ts';
import { pickUpNext, readAutoplay } from '../src/lib/up-next.ts';

const press = (key: string, shiftKey = false) => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey });

describe('playback speed', () => {
  it('steps through 0.25×–2× and stops at both ends', () => {
    expect(PLAYBACK_SPEEDS[0]).toBe(0.25);
    expect(stepSpeed(1, 1)).toBe(1.25);
    expect(stepSpeed(1, -1)).toBe(0.75);
    expect(stepSpeed(2, 1)).toBe(2);
    expect(stepSpeed(0.25, -1)).toBe(0.25);
    // A rate set elsewhere snaps to the neighbouring step in the direction asked.
    expect(stepSpeed(1.1, 1)).toBe(1.25);
    expect(stepSpeed(1.1, -1)).toBe(1);
    expect(stepSpeed(3, -1)).toBe(1.75);
  });

  it('remembers only speeds from the list', () => {
    expect(readSpeed('1.5')).toBe(1.5);
    expect(readSpeed('16')).toBe(1);
    expect(readSpeed('fast')).toBe(1);
    expect(readSpeed(null)).toBe(1);
  });

  it('< and > change it; Shift+N goes to the next video', () => {
    expect(actionForKey(press('>', true))).toEqual({ type: 'changeSpeed', direction: 1 });
    expect(actionForKey(press('<', true))).toEqual({ type: 'changeSpeed', direction: -1 });
    expect(actionForKey(press('N', true))).toEqual({ type: 'next' });
    expect(actionForKey(press('N'))).toBeNull();
    expect(actionForKey(press('t'))).toEqual({ type: 'toggleTheater' });
  });

  it('i opens the mini player, but not with a modifier (Ctrl+I is the browser’s)', () => {
    expect(actionForKey(press('i'))).toEqual({ type: 'miniPlayer' });
    expect(actionForKey(press('I', true))).toEqual({ type: 'miniPlayer' });
    expect(actionForKey({ key: 'i', ctrlKey: true, metaKey: false, altKey: false })).toBeNull();
  });
});

describe('up next', () => {
  const related = [{ id: 'current' }, { id: 'in-list' }, { id: 'other' }];

  it('is the playlist’s next video, else the first related one that is neither this video nor in the list', () => {
    expect(pickUpNext('current', 'p2', related, new Set())).toEqual({ id: 'p2', video: null });
    expect(pickUpNext('current', null, related, new Set(['in-list']))).toEqual({ id: 'other', video: { id: 'other' } });
    expect(pickUpNext('current', null, [{ id: 'current' }], new Set())).toBeNull();
  });

  it('autoplay is on unless turned off', () => {
    expect(readAutoplay(null)).toBe(true);
    expect(readAutoplay('1')).toBe(true);
    expect(readAutoplay('0')).toBe(false);
  });
});
