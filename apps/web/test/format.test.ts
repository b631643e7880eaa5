import { describe, expect, it } from 'vitest';
import {
  formatBitrate,
  formatBytes,
  formatCompactNumber,
  formatDuration,
  formatExactViewCount,
  formatPercent,
  formatRelativeTime,
  formatRungProgress,
  formatTimeRemaining,
  formatViewCount,
} from '../src/lib/format.ts';

describe('formatDuration', () => {
  it('uses m:ss below an hour and h:mm:ss above', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(59.99)).toBe('0:59');
    expect(formatDuration(187)).toBe('3:07');
    expect(formatDuration(3600)).toBe('1:00:00');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(36_000 + 61)).toBe('10:01:01');
  });

  it('is empty for unknown durations', () => {
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(undefined)).toBe('');
    expect(formatDuration(Number.NaN)).toBe('');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('');
    expect(formatDuration(-1)).toBe('');
  });
});

describe('view counts', () => {
  it('abbreviates like YouTube, truncating instead of rounding up', () => {
    expect(formatCompactNumber(999)).toBe('999');
    expect(formatCompactNumber(1000)).toBe('1K');
    expect(formatCompactNumber(1234)).toBe('1.2K');
    expect(formatCompactNumber(1999)).toBe('1.9K');
    expect(formatCompactNumber(12_345)).toBe('12K');
    expect(formatCompactNumber(999_999)).toBe('999K');
    expect(formatCompactNumber(1_000_000)).toBe('1M');
    expect(formatCompactNumber(2_560_000)).toBe('2.5M');
    expect(formatCompactNumber(3_100_000_000)).toBe('3.1B');
  });

  it('words zero and one views', () => {
    expect(formatViewCount(0)).toBe('No views');
    expect(formatViewCount(1)).toBe('1 view');
    expect(formatViewCount(2)).toBe('2 views');
    expect(formatViewCount(15_300)).toBe('15K views');
    expect(formatExactViewCount(1)).toBe('1 view');
    expect(formatExactViewCount(1_234_567)).toBe('1,234,567 views');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2025-06-15T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();

  it('picks the largest whole unit', () => {
    expect(formatRelativeTime(ago(0), now)).toBe('just now');
    expect(formatRelativeTime(ago(1), now)).toBe('1 second ago');
    expect(formatRelativeTime(ago(45), now)).toBe('45 seconds ago');
    expect(formatRelativeTime(ago(60), now)).toBe('1 minute ago');
    expect(formatRelativeTime(ago(3 * 3600 + 59), now)).toBe('3 hours ago');
    expect(formatRelativeTime(ago(24 * 3600), now)).toBe('1 day ago');
    expect(formatRelativeTime(ago(13 * 24 * 3600), now)).toBe('1 week ago');
    expect(formatRelativeTime(ago(45 * 24 * 3600), now)).toBe('1 month ago');
    expect(formatRelativeTime(ago(800 * 24 * 3600), now)).toBe('2 years ago');
  });

  it('treats future dates (clock skew) as now and rejects garbage', () => {
    expect(formatRelativeTime(new Date(now + 60_000).toISOString(), now)).toBe('just now');
    expect(formatRelativeTime('not a date', now)).toBe('');
  });
});

describe('other formats', () => {
  it('formats bytes with decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10.7 GB');
  });

  it('formats bitrates', () => {
    expect(formatBitrate(300_000)).toBe('300 kbps');
    expect(formatBitrate(2_500_000)).toBe('2.5 Mbps');
  });

  it('formats time remaining and percentages', () => {
    expect(formatTimeRemaining(0.2)).toBe('1 second left');
    expect(formatTimeRemaining(12.1)).toBe('13 seconds left');
    expect(formatTimeRemaining(61)).toBe('2 minutes left');
    expect(formatTimeRemaining(3 * 3600 + 90)).toBe('3 h 2 min left');
    expect(formatTimeRemaining(Number.NaN)).toBe('');
    expect(formatPercent(0.456)).toBe('45%');
    expect(formatPercent(1.2)).toBe('100%');
    expect(formatPercent(-1)).toBe('0%');
    expect(formatRungProgress({ name: '720p', progress: 0.6, etaSeconds: 39.2 })).toBe('720p: 60%, ~40 s');
    expect(formatRungProgress({ name: '1080p', progress: 0.1, etaSeconds: 61 })).toBe('1080p: 10%, ~2 min');
    expect(formatRungProgress({ name: '144p', progress: 0.2, etaSeconds: null })).toBe('144p: 20%');
    expect(formatRungProgress({ name: '240p', progress: 1, etaSeconds: 0 })).toBe('240p: 100%');
  });
});
