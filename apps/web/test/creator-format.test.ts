import { describe, expect, it } from 'vitest';
import { formatCountdown, formatWatchTime, fromLocalInputValue, publishingLabel, toLocalInputValue } from '../src/lib/creator-format.ts';

describe('creator formatting', () => {
  it('round-trips a datetime-local value', () => {
    const iso = new Date(2030, 4, 6, 7, 8).toISOString();
    expect(toLocalInputValue(iso)).toBe('2030-05-06T07:08');
    expect(fromLocalInputValue('2030-05-06T07:08')).toBe(iso);
    expect(fromLocalInputValue('')).toBeNull();
  });

  it('words countdowns and publishing states', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(formatCountdown('2030-01-01T00:00:10Z', now)).toBe('any moment now');
    expect(formatCountdown('2030-01-01T00:45:00Z', now)).toBe('in 45 min');
    expect(formatCountdown('2030-01-01T03:05:00Z', now)).toBe('in 3 h 5 min');
    expect(formatCountdown('2030-01-05T00:00:00Z', now)).toBe('in 4 days');
    expect(publishingLabel({ draft: true, scheduledAt: null, visibility: 'private' }, now)).toBe('Draft');
    expect(publishingLabel({ draft: false, scheduledAt: '2030-01-01T02:00:00Z', visibility: 'private' }, now)).toBe('Scheduled · in 2 h');
    expect(publishingLabel({ draft: false, scheduledAt: null, visibility: 'public' }, now)).toBeNull();
  });

  it('formats watch time', () => {
    expect(formatWatchTime(25)).toBe('25 s');
    expect(formatWatchTime(245)).toBe('4 min 05 s');
    expect(formatWatchTime(3720)).toBe('1 h 02 min');
  });
});
