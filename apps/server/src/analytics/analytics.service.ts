import { createHash } from 'node:crypto';
import type { AnalyticsTotals, BeaconBatch, BeaconResult, ChannelAnalytics, SharePoint, VideoAnalytics } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import type { ChannelRepository } from '../channels/channel.repository.ts';
import { conflict, notFound, tooManyRequests } from '../infra/http/errors.ts';
import { clientNetwork } from '../infra/rate-limit/rate-limiter.ts';
import type { VideoService } from '../videos/video.service.ts';
import type { AnalyticsRepository, AnalyticsScope } from './analytics.repository.ts';
import { aggregateBeacons, deviceClass, histogramMedian, retentionBucketWidth } from './beacon-aggregate.ts';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';

const RATE_WINDOW_SECONDS = 60;
/** Several people behind one address (a household, an office) share the per-IP allowance. */
const IP_ALLOWANCE_FACTOR = 10;

export interface BeaconClient {
  ip: string | null;
  userAgent: string | null;
  viewer: AuthUser | null;
}

function shares(rows: readonly { name: string; value: number }[]): SharePoint[] {
  const total = rows.reduce((sum, row) => sum + row.value, 0);
  return rows
    .filter((row) => row.value > 0)
    .map((row) => ({ name: row.name, value: row.value, share: total > 0 ? row.value / total : 0 }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
}

/**
 * Player beacons in, studio charts out. A viewer is known only by a hash of their address and browser with a salt
 * that changes every UTC day and is then deleted, so the figures hold no personal data and nothing links one
 * day's viewers to the next.
 */
export class AnalyticsService {
  private salt: { day: string; value: Buffer } | null = null;

  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly videos: VideoService,
    private readonly channels: ChannelRepository,
    private readonly cache: Cache,
    private readonly config: Pick<Config, 'BEACON_RATE_LIMIT'>,
  ) {}

  private async viewerHash(day: string, client: BeaconClient): Promise<Buffer> {
    if (this.salt?.day !== day) this.salt = { day, value: await this.repo.saltFor(day) };
    return createHash('sha256')
      .update(this.salt.value)
      .update(`${client.ip ?? ''}|${client.userAgent ?? ''}`)
      .digest();
  }

  private async checkRate(sessionId: string, ip: string | null): Promise<void> {
    const limit = this.config.BEACON_RATE_LIMIT;
    const cache = this.cache;
    // Per client network (an IPv6 /64 is one client), as the write limits count.
    const ipKey = createHash('sha256').update(clientNetwork(ip)).digest('base64url').slice(0, 16);
    const perSession = await cache.hit(`beacons:session:${sessionId}`, RATE_WINDOW_SECONDS);
    if (perSession.count > limit) throw tooManyRequests(perSession.resetSeconds, 'Too many analytics beacons from this playback; slow down');
    const perIp = await cache.hit(`beacons:ip:${ipKey}`, RATE_WINDOW_SECONDS);
    if (perIp.count > limit * IP_ALLOWANCE_FACTOR) throw tooManyRequests(perIp.resetSeconds, 'Too many analytics beacons from this address; slow down');
  }

  async ingest(batch: BeaconBatch, client: BeaconClient): Promise<BeaconResult> {
    await this.checkRate(batch.sessionId, client.ip);
    const video = await this.videos.get(batch.videoId, client.viewer);
    if (video.status !== 'ready') throw conflict('This video is not playable yet', 'not_ready');
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    const totals = aggregateBeacons(batch.events, video.durationSeconds ?? 0);
    await this.repo.record({ videoId: video.id, day, hour, viewerHash: await this.viewerHash(day, client), device: deviceClass(client.userAgent) }, totals);
    return { accepted: batch.events.length };
  }

  private async totals(
    scope: AnalyticsScope,
    days: number,
    daily: { views: number; watch_seconds: number; rebuffer_seconds: number; errors: number }[],
  ): Promise<AnalyticsTotals> {
    const sum = (pick: (row: (typeof daily)[number]) => number) => daily.reduce((total, row) => total + pick(row), 0);
    const views = sum((row) => row.views);
    const watchSeconds = sum((row) => row.watch_seconds);
    const rebufferSeconds = sum((row) => row.rebuffer_seconds);
    const ttff = await this.repo.breakdown(scope, 'ttff', days);
    return {
      views,
      watchSeconds,
      averageViewSeconds: views > 0 ? watchSeconds / views : 0,
      medianTtffMs: histogramMedian(ttff.map((row) => ({ bound: Number(row.value), count: row.count }))),
      rebufferRatio: watchSeconds + rebufferSeconds > 0 ? rebufferSeconds / (watchSeconds + rebufferSeconds) : 0,
      errorRate: views > 0 ? sum((row) => row.errors) / views : 0,
    };
  }

  async forVideo(id: string, user: AuthUser, days: number): Promise<VideoAnalytics> {
    const row = await this.videos.ownedRow(id, user);
    const duration = row.duration_seconds ?? 0;
    const [daily, hourly, retention, sources, devices, renditions] = await Promise.all([
      this.repo.daily({ videoId: id }, days),
      this.repo.hourly(id),
      this.repo.retention(id, days),
      this.repo.breakdown({ videoId: id }, 'source', days),
      this.repo.breakdown({ videoId: id }, 'device', days),
      this.repo.breakdown({ videoId: id }, 'rendition', days),
    ]);
    const totals = await this.totals({ videoId: id }, days, daily);
    const width = retentionBucketWidth(duration);
    const watchedBy = new Map(retention.map((bucket) => [bucket.bucket, bucket.viewers]));
    const buckets = duration > 0 ? Math.ceil(duration / width) : 0;
    return {
      videoId: id,
      title: row.title,
      durationSeconds: duration,
      days,
      totals,
      daily: daily.map((point) => ({ day: point.day, views: point.views, watchSeconds: point.watch_seconds })),
      hourly: hourly.map((point) => ({ hour: new Date(point.hour).toISOString(), views: point.views, watchSeconds: point.watch_seconds })),
      retention:
        totals.views > 0
          ? Array.from({ length: buckets }, (_, bucket) => ({ second: bucket * width, share: Math.min(1, (watchedBy.get(bucket) ?? 0) / totals.views) }))
          : [],
      sources: shares(sources.map((source) => ({ name: source.value, value: source.count }))),
      devices: shares(devices.map((device) => ({ name: device.value, value: device.count }))),
      renditions: shares(renditions.map((rendition) => ({ name: rendition.value, value: rendition.seconds }))),
    };
  }

  async forChannel(channelIdOrHandle: string, user: AuthUser, days: number): Promise<ChannelAnalytics> {
    const channel = await this.channels.find(channelIdOrHandle);
    if (!channel || (channel.user_id !== user.id && user.role !== 'admin')) throw notFound('Channel not found');
    const scope = { channelId: channel.id };
    const [daily, top, sources, devices] = await Promise.all([
      this.repo.daily(scope, days),
      this.repo.topVideos(channel.id, days, 10),
      this.repo.breakdown(scope, 'source', days),
      this.repo.breakdown(scope, 'device', days),
    ]);
    return {
      channelId: channel.id,
      days,
      totals: await this.totals(scope, days, daily),
      daily: daily.map((point) => ({ day: point.day, views: point.views, watchSeconds: point.watch_seconds })),
      topVideos: top.map((video) => ({ id: video.id, title: video.title, views: video.views, watchSeconds: video.watch_seconds })),
      sources: shares(sources.map((source) => ({ name: source.value, value: source.count }))),
      devices: shares(devices.map((device) => ({ name: device.value, value: device.count }))),
    };
  }
}
