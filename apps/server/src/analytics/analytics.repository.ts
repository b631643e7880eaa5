import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { BeaconTotals } from './beacon-aggregate.ts';

export interface BeaconContext {
  videoId: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  hour: Date;
  viewerHash: Buffer;
  device: string;
}

type Dimension = 'source' | 'device' | 'rendition' | 'ttff';

/** Which videos a report covers: one video, or every video of a channel (a subquery, however many there are). */
export type AnalyticsScope = { videoId: string } | { channelId: string };

function videoIdsOf(scope: AnalyticsScope) {
  return 'videoId' in scope ? sql`(${scope.videoId}::uuid)` : sql`(SELECT id FROM videos WHERE channel_id = ${scope.channelId})`;
}

/** Per-day (and per-hour) playback figures: written by beacons in one transaction each, read by the studio. */
export class AnalyticsRepository {
  constructor(private readonly db: Db) {}

  /** Today's salt, created by whichever process needs it first. */
  async saltFor(day: string): Promise<Buffer> {
    await this.db
      .insertInto('analytics_salts')
      .values({ day, salt: randomBytes(32) })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await this.db.selectFrom('analytics_salts').select('salt').where('day', '=', day).executeTakeFirstOrThrow();
    return row.salt;
  }

  /** Adds one batch; returns whether it counted a new view (first `start` of this viewer for this video today). */
  async record(context: BeaconContext, totals: BeaconTotals): Promise<boolean> {
    const { videoId, day, hour } = context;
    return this.db.transaction().execute(async (trx) => {
      let newView = false;
      if (totals.start) {
        const inserted = await trx
          .insertInto('analytics_viewers')
          .values({ video_id: videoId, day, viewer_hash: context.viewerHash })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        newView = inserted.numInsertedOrUpdatedRows === 1n;
      }
      const views = newView ? 1 : 0;
      await trx
        .insertInto('video_stats_daily')
        .values({
          video_id: videoId,
          day,
          views,
          watch_seconds: totals.watchSeconds,
          rebuffer_seconds: totals.rebufferSeconds,
          rebuffer_count: totals.rebufferCount,
          errors: totals.errors,
        })
        .onConflict((oc) =>
          oc.columns(['video_id', 'day']).doUpdateSet({
            views: sql`video_stats_daily.views + excluded.views`,
            watch_seconds: sql`video_stats_daily.watch_seconds + excluded.watch_seconds`,
            rebuffer_seconds: sql`video_stats_daily.rebuffer_seconds + excluded.rebuffer_seconds`,
            rebuffer_count: sql`video_stats_daily.rebuffer_count + excluded.rebuffer_count`,
            errors: sql`video_stats_daily.errors + excluded.errors`,
          }),
        )
        .execute();
      if (views || totals.watchSeconds) {
        await trx
          .insertInto('video_stats_hourly')
          .values({ video_id: videoId, hour, views, watch_seconds: totals.watchSeconds })
          .onConflict((oc) =>
            oc.columns(['video_id', 'hour']).doUpdateSet({
              views: sql`video_stats_hourly.views + excluded.views`,
              watch_seconds: sql`video_stats_hourly.watch_seconds + excluded.watch_seconds`,
            }),
          )
          .execute();
      }
      const breakdown: { dimension: Dimension; value: string; count: number; seconds: number }[] = [];
      if (newView)
        breakdown.push(
          { dimension: 'source', value: totals.start!, count: 1, seconds: 0 },
          { dimension: 'device', value: context.device, count: 1, seconds: 0 },
        );
      for (const [name, seconds] of totals.renditionSeconds) breakdown.push({ dimension: 'rendition', value: name, count: 0, seconds });
      for (const [bound, count] of totals.ttffBuckets) breakdown.push({ dimension: 'ttff', value: String(bound), count, seconds: 0 });
      if (breakdown.length) {
        await trx
          .insertInto('video_stats_breakdown')
          .values(breakdown.map((row) => ({ video_id: videoId, day, ...row })))
          .onConflict((oc) =>
            oc
              .columns(['video_id', 'day', 'dimension', 'value'])
              .doUpdateSet({ count: sql`video_stats_breakdown.count + excluded.count`, seconds: sql`video_stats_breakdown.seconds + excluded.seconds` }),
          )
          .execute();
      }
      if (totals.retentionBuckets.size) {
        await trx
          .insertInto('video_retention_daily')
          .values([...totals.retentionBuckets].map((bucket) => ({ video_id: videoId, day, bucket, viewers: 1 })))
          .onConflict((oc) => oc.columns(['video_id', 'day', 'bucket']).doUpdateSet({ viewers: sql`video_retention_daily.viewers + 1` }))
          .execute();
      }
      return newView;
    });
  }

  /** Day-by-day figures for some videos over the last `days` days (today included), zero-filled. */
  async daily(scope: AnalyticsScope, days: number) {
    const { rows } = await sql<{ day: string; views: number; watch_seconds: number; rebuffer_seconds: number; errors: number }>`
      SELECT to_char(series.day, 'YYYY-MM-DD') AS day,
             coalesce(sum(d.views), 0)::int AS views,
             coalesce(sum(d.watch_seconds), 0)::float8 AS watch_seconds,
             coalesce(sum(d.rebuffer_seconds), 0)::float8 AS rebuffer_seconds,
             coalesce(sum(d.errors), 0)::int AS errors
      FROM generate_series((now() AT TIME ZONE 'UTC')::date - ${days - 1}::int, (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS series(day)
      LEFT JOIN video_stats_daily d ON d.day = series.day::date AND d.video_id IN ${videoIdsOf(scope)}
      GROUP BY series.day ORDER BY series.day
    `.execute(this.db);
    return rows;
  }

  async hourly(videoId: string) {
    const { rows } = await sql<{ hour: Date; views: number; watch_seconds: number }>`
      SELECT series.hour, coalesce(h.views, 0)::int AS views, coalesce(h.watch_seconds, 0)::float8 AS watch_seconds
      FROM generate_series(date_trunc('hour', now()) - interval '47 hours', date_trunc('hour', now()), interval '1 hour') AS series(hour)
      LEFT JOIN video_stats_hourly h ON h.hour = series.hour AND h.video_id = ${videoId}
      ORDER BY series.hour
    `.execute(this.db);
    return rows;
  }

  async breakdown(scope: AnalyticsScope, dimension: Dimension, days: number) {
    return this.db
      .selectFrom('video_stats_breakdown')
      .select(['value', sql<number>`sum(count)::int`.as('count'), sql<number>`sum(seconds)::float8`.as('seconds')])
      .where(sql<boolean>`video_id IN ${videoIdsOf(scope)}`)
      .where('dimension', '=', dimension)
      .where(sql<boolean>`day > (now() AT TIME ZONE 'UTC')::date - ${days}::int`)
      .groupBy('value')
      .execute();
  }

  async retention(videoId: string, days: number) {
    return this.db
      .selectFrom('video_retention_daily')
      .select(['bucket', sql<number>`sum(viewers)::int`.as('viewers')])
      .where('video_id', '=', videoId)
      .where(sql<boolean>`day > (now() AT TIME ZONE 'UTC')::date - ${days}::int`)
      .groupBy('bucket')
      .orderBy('bucket')
      .execute();
  }

  async topVideos(channelId: string, days: number, limit: number) {
    const { rows } = await sql<{ id: string; title: string; views: number; watch_seconds: number }>`
      SELECT v.id, v.title, coalesce(sum(d.views), 0)::int AS views, coalesce(sum(d.watch_seconds), 0)::float8 AS watch_seconds
      FROM videos v JOIN video_stats_daily d ON d.video_id = v.id AND d.day > (now() AT TIME ZONE 'UTC')::date - ${days}::int
      WHERE v.channel_id = ${channelId}
      GROUP BY v.id, v.title ORDER BY views DESC, watch_seconds DESC, v.id LIMIT ${limit}
    `.execute(this.db);
    return rows;
  }

  /**
   * Retention: per-hour figures after 48 hours, per-day ones after `retentionDays`, viewer hashes after a day
   * (they only de-duplicate today's views), and every salt but today's, so no hash can be linked across days.
   */
  async purge(retentionDays: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('video_stats_hourly').where('hour', '<', sql<Date>`now() - interval '48 hours'`).execute();
      for (const table of ['video_stats_daily', 'video_stats_breakdown', 'video_retention_daily'] as const) {
        await trx.deleteFrom(table).where(sql<boolean>`day <= (now() AT TIME ZONE 'UTC')::date - ${retentionDays}::int`).execute();
      }
      await trx.deleteFrom('analytics_viewers').where(sql<boolean>`day < (now() AT TIME ZONE 'UTC')::date`).execute();
      await trx.deleteFrom('analytics_salts').where(sql<boolean>`day < (now() AT TIME ZONE 'UTC')::date`).execute();
    });
  }
}
