/** Clock-style duration as shown on thumbnails and in the player: 0:05, 3:07, 1:02:03. */
export function formatDuration(totalSeconds: number | null | undefined): string {
  if (totalSeconds === null || totalSeconds === undefined || !Number.isFinite(totalSeconds) || totalSeconds < 0) return '';
  const whole = Math.floor(totalSeconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  const paddedSeconds = String(seconds).padStart(2, '0');
  if (hours > 0) return `${hours}:${String(minutes).padStart(2, '0')}:${paddedSeconds}`;
  return `${minutes}:${paddedSeconds}`;
}

const COMPACT_UNITS: ReadonlyArray<{ size: number; suffix: string }> = [
  { size: 1e9, suffix: 'B' },
  { size: 1e6, suffix: 'M' },
  { size: 1e3, suffix: 'K' },
];

/**
 * 1234 → "1.2K", 12_345 → "12K", 999_999 → "999K". Truncates rather than rounds, like YouTube,
 * so a count never reads higher than it is (1999 is "1.9K", not "2K").
 */
export function formatCompactNumber(value: number): string {
  const whole = Math.max(0, Math.floor(value));
  for (const { size, suffix } of COMPACT_UNITS) {
    if (whole < size) continue;
    const scaled = whole / size;
    const shown = scaled < 10 ? Math.floor(scaled * 10) / 10 : Math.floor(scaled);
    return `${shown}${suffix}`;
  }
  return String(whole);
}

export function formatViewCount(views: number): string {
  if (views <= 0) return 'No views';
  if (views === 1) return '1 view';
  return `${formatCompactNumber(views)} views`;
}

/** Full count with separators for the watch page ("12,345 views"). */
export function formatExactViewCount(views: number): string {
  if (views === 1) return '1 view';
  return `${new Intl.NumberFormat('en-US').format(Math.max(0, views))} views`;
}

const RELATIVE_STEPS: ReadonlyArray<{ seconds: number; unit: string }> = [
  { seconds: 365 * 24 * 3600, unit: 'year' },
  { seconds: 30 * 24 * 3600, unit: 'month' },
  { seconds: 7 * 24 * 3600, unit: 'week' },
  { seconds: 24 * 3600, unit: 'day' },
  { seconds: 3600, unit: 'hour' },
  { seconds: 60, unit: 'minute' },
  { seconds: 1, unit: 'second' },
];

/** "3 days ago", "1 year ago"; anything under a second (or in the future, from clock skew) is "just now". */
export function formatRelativeTime(isoDate: string, now: number = Date.now()): string {
  const then = Date.parse(isoDate);
  if (Number.isNaN(then)) return '';
  const elapsedSeconds = Math.floor((now - then) / 1000);
  if (elapsedSeconds < 1) return 'just now';
  for (const { seconds, unit } of RELATIVE_STEPS) {
    if (elapsedSeconds < seconds) continue;
    const count = Math.floor(elapsedSeconds / seconds);
    return `${count} ${unit}${count === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/** "Mar 4, 2025" */
export function formatDate(isoDate: string): string {
  const date = new Date(isoDate);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric' }).format(date);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Decimal units, as file managers show: 1_500_000 → "1.5 MB". */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unitIndex = 0;
  while (value >= 1000 && unitIndex < BYTE_UNITS.length - 1) {
    value /= 1000;
    unitIndex += 1;
  }
  const shown = unitIndex === 0 || value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${BYTE_UNITS[unitIndex]}`;
}

/** Rendition bitrate for the quality menu: 300_000 → "300 kbps", 2_500_000 → "2.5 Mbps". */
export function formatBitrate(bitsPerSecond: number): string {
  if (bitsPerSecond >= 1e6) return `${Math.round(bitsPerSecond / 1e5) / 10} Mbps`;
  return `${Math.round(bitsPerSecond / 1e3)} kbps`;
}

/** Rough time left for an upload: "12 seconds left", "3 minutes left". */
export function formatTimeRemaining(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) {
    const rounded = Math.max(1, Math.ceil(seconds));
    return `${rounded} second${rounded === 1 ? '' : 's'} left`;
  }
  if (seconds < 3600) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? '' : 's'} left`;
  }
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return `${hours} h ${minutes} min left`;
}

/** "720p: 60%, ~40 s" (or "2 min"): a rung of a video being encoded; no ETA once done or before one is known. */
export function formatRungProgress(rung: { name: string; progress: number; etaSeconds: number | null }): string {
  const done = `${rung.name}: ${formatPercent(rung.progress)}`;
  if (rung.progress >= 1 || rung.etaSeconds === null) return done;
  const eta = rung.etaSeconds < 60 ? `${Math.max(1, Math.ceil(rung.etaSeconds))} s` : `${Math.ceil(rung.etaSeconds / 60)} min`;
  return `${done}, ~${eta}`;
}

export function formatPercent(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  return `${Math.floor(clamped * 100)}%`;
}
