import { describe, expect, it } from 'vitest';
import { actionForKey, clampSeek } from '../src/player/shortcuts.ts';
import { VIEW_THRESHOLD_SECONDS, WatchTimeTracker } from '../src/player/watch-time.ts';
import { bufferedEndAt, isStalledAtEnd } from '../src/player/end-of-stream.ts';
import { TransferRateEstimator } from '../src/lib/transfer-rate.ts';
import { describeUserAgent } from '../src/lib/user-agent.ts';

const press = (key: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...modifiers,
});

describe('keyboard shortcuts', () => {
  it('maps YouTube keys to player actions', () => {
    expect(actionForKey(press(' '))).toEqual({ type: 'togglePlay' });
    expect(actionForKey(press('k'))).toEqual({ type: 'togglePlay' });
    expect(actionForKey(press('j'))).toEqual({ type: 'seekBy', seconds: -10 });
    expect(actionForKey(press('L'))).toEqual({ type: 'seekBy', seconds: 10 });
    expect(actionForKey(press('ArrowLeft'))).toEqual({ type: 'seekBy', seconds: -5 });
    expect(actionForKey(press('f'))).toEqual({ type: 'toggleFullscreen' });
    expect(actionForKey(press('m'))).toEqual({ type: 'toggleMute' });
    expect(actionForKey(press('ArrowUp'))).toEqual({ type: 'changeVolume', delta: 0.05 });
    expect(actionForKey(press('7'))).toEqual({ type: 'seekToFraction', fraction: 0.7 });
    expect(actionForKey(press('x'))).toBeNull();
  });

  it('leaves browser shortcuts alone', () => {
    expect(actionForKey(press('f', { ctrlKey: true }))).toBeNull();
    expect(actionForKey(press('l', { metaKey: true }))).toBeNull();
    expect(actionForKey(press('k', { altKey: true }))).toBeNull();
  });

  it('clamps seeks to the video', () => {
    expect(clampSeek(5, -10, 60)).toBe(0);
    expect(clampSeek(55, 10, 60)).toBe(60);
    expect(clampSeek(20, 10, 60)).toBe(30);
    expect(clampSeek(20, 10, Number.NaN)).toBe(30);
  });
});

describe('WatchTimeTracker', () => {
  it('counts a view once, after the threshold of real playback', () => {
    let views = 0;
    const tracker = new WatchTimeTracker(() => views++);
    for (let t = 0; t <= VIEW_THRESHOLD_SECONDS - 0.5; t += 0.25) tracker.recordPosition(t);
    expect(views).toBe(0);
    for (let t = VIEW_THRESHOLD_SECONDS - 0.25; t <= 20; t += 0.25) tracker.recordPosition(t);
    expect(views).toBe(1);
    tracker.recordEnded();
    expect(views).toBe(1);
  });

  it('does not count seeking forward as watching', () => {
    let views = 0;
    const tracker = new WatchTimeTracker(() => views++);
    tracker.recordPosition(0);
    tracker.recordPosition(0.5);
    tracker.recordPosition(30); // a jump without a seeking event still is not playback
    tracker.interrupt();
    tracker.recordPosition(60);
    tracker.recordPosition(60.5);
    expect(tracker.watchedSeconds).toBeCloseTo(1);
    expect(views).toBe(0);
  });

  it('counts a short video watched to the end', () => {
    let views = 0;
    const tracker = new WatchTimeTracker(() => views++);
    tracker.recordEnded();
    expect(views).toBe(0); // ended without playing (e.g. loaded at the end) is not a view
    for (let t = 0; t <= 3; t += 0.25) tracker.recordPosition(t);
    tracker.recordEnded();
    expect(views).toBe(1);
  });
});

describe('TransferRateEstimator', () => {
  it('smooths the rate and estimates the time left', () => {
    const rate = new TransferRateEstimator();
    expect(rate.secondsRemaining(0, 100)).toBeNull();
    rate.sample(0, 0);
    rate.sample(1_000_000, 1000);
    expect(rate.bytesPerSecond).toBe(1_000_000);
    rate.sample(1_500_000, 2000);
    expect(rate.bytesPerSecond).toBeCloseTo(850_000);
    expect(rate.secondsRemaining(1_500_000, 3_200_000)).toBeCloseTo(2);
  });

  it('ignores samples too close together and restarts when bytes go backwards', () => {
    const rate = new TransferRateEstimator();
    rate.sample(0, 0);
    rate.sample(10_000, 10);
    expect(rate.bytesPerSecond).toBeNull();
    rate.sample(100_000, 1000);
    expect(rate.bytesPerSecond).toBe(100_000);
    rate.sample(0, 1500);
    rate.sample(500_000, 2500);
    expect(rate.bytesPerSecond).toBeCloseTo(100_000 * 0.7 + 500_000 * 0.3);
  });
});

describe('describeUserAgent', () => {
  it('names common browsers and platforms', () => {
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36')).toBe(
      'Chrome on Windows',
    );
    expect(
      describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0'),
    ).toBe('Edge on Windows');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari on iPhone');
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0')).toBe('Firefox on Linux');
    expect(describeUserAgent('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36')).toBe(
      'Chrome on Android',
    );
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36')).toBe(
      'Headless Chrome on Linux',
    );
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});

describe('end-of-stream stalls', () => {
  it('treats a stall in the last moments, with the rest buffered, as the end', () => {
    // Audio a few milliseconds longer than video: Chrome waits forever at 3.947 of 4.0107.
    expect(isStalledAtEnd(3.947, 4.0107, 4)).toBe(true);
    expect(isStalledAtEnd(2, 4.0107, 4)).toBe(false);
    expect(isStalledAtEnd(3.947, 10, 4)).toBe(false);
    expect(isStalledAtEnd(3.9, 4, 3.5)).toBe(false);
    expect(isStalledAtEnd(0, Number.NaN, 0)).toBe(false);
    // A video still being encoded: its stream ends at 4 s for now, but the video is 12 s long.
    expect(isStalledAtEnd(3.947, 4.0107, 4, 12)).toBe(false);
    expect(isStalledAtEnd(11.947, 12.0107, 12, 12)).toBe(true);
  });

  it('finds the end of the buffered range around the playhead', () => {
    const ranges = [
      [0, 4],
      [10, 12],
    ] as const;
    const buffered = { length: ranges.length, start: (index: number) => ranges[index]?.[0] ?? 0, end: (index: number) => ranges[index]?.[1] ?? 0 };
    expect(bufferedEndAt(buffered, 3)).toBe(4);
    expect(bufferedEndAt(buffered, 11)).toBe(12);
    expect(bufferedEndAt({ length: 0, start: () => 0, end: () => 0 }, 1)).toBe(0);
  });
});
