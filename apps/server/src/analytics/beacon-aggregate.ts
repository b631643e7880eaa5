import type { Beacon, TrafficSource } from '@tube/shared';

/** Upper bounds (ms) of the time-to-first-frame histogram: fine where players usually are, coarse beyond. */
export const TTFF_BUCKETS_MS = [
  ...Array.from({ length: 20 }, (_, i) => (i + 1) * 50),
  ...Array.from({ length: 16 }, (_, i) => 1000 + (i + 1) * 250),
  ...Array.from({ length: 25 }, (_, i) => 5000 + (i + 1) * 1000),
  120_000,
];

export function ttffBucket(ms: number): number {
  return TTFF_BUCKETS_MS.find((bound) => ms <= bound) ?? TTFF_BUCKETS_MS.at(-1)!;
}

/** At most this many retention buckets per video, so long videos do not need a row per second. */
export const MAX_RETENTION_BUCKETS = 300;

export function retentionBucketWidth(durationSeconds: number): number {
  return Math.max(1, Math.ceil(durationSeconds / MAX_RETENTION_BUCKETS));
}

/** What one batch of beacons adds to the day's figures. */
export interface BeaconTotals {
  start: TrafficSource | null;
  watchSeconds: number;
  rebufferSeconds: number;
  rebufferCount: number;
  errors: number;
  ttffBuckets: Map<number, number>;
  renditionSeconds: Map<string, number>;
  /** Retention buckets whose starting moment a watched range covered. */
  retentionBuckets: Set<number>;
}

/**
 * Sums a batch. A bucket counts when a watched range covers its middle, so a bucket split between two heartbeats'
 * ranges is counted once, and playback that starts a few milliseconds in still counts the first second; ranges
 * beyond the video's end are cut off.
 */
export function aggregateBeacons(events: readonly Beacon[], durationSeconds: number): BeaconTotals {
  const totals: BeaconTotals = {
    start: null,
    watchSeconds: 0,
    rebufferSeconds: 0,
    rebufferCount: 0,
    errors: 0,
    ttffBuckets: new Map(),
    renditionSeconds: new Map(),
    retentionBuckets: new Set(),
  };
  const width = retentionBucketWidth(durationSeconds);
  const lastBucket = Math.max(0, Math.ceil(durationSeconds / width) - 1);
  for (const event of events) {
    switch (event.type) {
      case 'start':
        totals.start ??= event.source;
        break;
      case 'heartbeat': {
        totals.watchSeconds += event.watchedSeconds;
        if (event.rendition) totals.renditionSeconds.set(event.rendition, (totals.renditionSeconds.get(event.rendition) ?? 0) + event.watchedSeconds);
        for (const [from, to] of event.ranges) {
          if (!(to > from)) continue;
          for (let bucket = Math.max(0, Math.ceil(from / width - 0.5)); (bucket + 0.5) * width < to && bucket <= lastBucket; bucket++)
            totals.retentionBuckets.add(bucket);
        }
        break;
      }
      case 'ttff': {
        const bucket = ttffBucket(event.ms);
        totals.ttffBuckets.set(bucket, (totals.ttffBuckets.get(bucket) ?? 0) + 1);
        break;
      }
      case 'rebuffer':
        totals.rebufferSeconds += event.seconds;
        totals.rebufferCount += 1;
        break;
      case 'rendition':
        break;
      case 'error':
        totals.errors += 1;
        break;
      default: {
        const unexpected: never = event;
        throw new Error(`unknown beacon ${JSON.stringify(unexpected)}`);
      }
    }
  }
  return totals;
}

/** The device class of a User-Agent; nothing more of it is kept. */
export function deviceClass(userAgent: string | null): 'mobile' | 'tablet' | 'desktop' | 'tv' | 'other' {
  if (!userAgent) return 'other';
  if (/SmartTV|SMART-TV|\bTV\b|AppleTV|CrKey|Tizen|WebOS/i.test(userAgent)) return 'tv';
  if (/iPad|Tablet|Android(?!.*Mobile)/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android/i.test(userAgent)) return 'mobile';
  if (/Windows|Macintosh|Linux|CrOS|X11/i.test(userAgent)) return 'desktop';
  return 'other';
}

/** The median of a histogram given as (upper bound → count), or null when it is empty. */
export function histogramMedian(buckets: readonly { bound: number; count: number }[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.bound - b.bound);
  const total = sorted.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const bucket of sorted) {
    seen += bucket.count;
    if (seen * 2 >= total) return bucket.bound;
  }
  return sorted.at(-1)!.bound;
}
