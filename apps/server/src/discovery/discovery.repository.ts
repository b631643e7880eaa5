import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Keyset } from '../infra/db/keyset.ts';
import { isListed, selectVideoRows, VIDEO_CHANNEL_COLUMNS } from '../videos/video-rows.ts';

/**
 * Trending score of a listed video published within the window:
 *
 *   (recent_views + 3 × like_count + 1) / (age_in_hours + 2) ^ 1.5
 *
 * recent_views are the per-day views of the playback analytics (video_stats_daily) of the last week, each day
 * weighing half the day after it, so a video people watch now outranks one that was watched last week. Likes are
 * lifetime totals; restricting to recent uploads and dividing by age makes them behave like recent engagement. A like weighs three views; dislikes do not count
 * either way. The +1 lets a new video with no engagement yet rank by freshness instead of all tying at zero, and
 * the +2 hours keeps brand-new videos from dominating on their first few views (Hacker News' gravity, milder).
 */
export const TRENDING = { windowDays: 14, likeWeight: 3, gravity: 1.5, ageOffsetHours: 2, keep: 500, viewDays: 7, viewHalfLifeDays: 1 } as const;

const recentViews = sql<number>`coalesce((
  SELECT sum(daily.views * power(0.5, ((now() AT TIME ZONE 'UTC')::date - daily.day)::float8 / ${TRENDING.viewHalfLifeDays}))
  FROM video_stats_daily daily
  WHERE daily.video_id = videos.id AND daily.day > (now() AT TIME ZONE 'UTC')::date - ${TRENDING.viewDays}::int
), 0)`;

export class DiscoveryRepository {
  constructor(private readonly db: Db) {}

  /** Recomputes the whole ranking in one transaction; concurrent runs wait for each other. Returns the rows kept. */
  async refreshTrending(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('tube:trending-refresh'))`.execute(trx);
      await trx.deleteFrom('trending_scores').execute();
      const result = await sql`
        INSERT INTO trending_scores (video_id, score, computed_at)
        SELECT videos.id,
               (${recentViews} + ${TRENDING.likeWeight} * videos.like_count + 1)::float8
                 / power(greatest(extract(epoch FROM now() - videos.published_at) / 3600, 0) + ${TRENDING.ageOffsetHours}, ${TRENDING.gravity}),
               now()
        FROM videos
        WHERE ${isListed} AND videos.published_at > now() - make_interval(days => ${TRENDING.windowDays})
        ORDER BY 2 DESC
        LIMIT ${TRENDING.keep}
      `.execute(trx);
      return Number(result.numAffectedRows ?? 0);
    });
  }

  async trendingUpdatedAt(): Promise<Date | null> {
    const row = await this.db.selectFrom('trending_scores').select('computed_at').limit(1).executeTakeFirst();
    return row?.computed_at ?? null;
  }

  /** The ranking as it stands, re-checked against each video's current state (it may have been hidden since). */
  trendingPage(after: Keyset<number> | null, limit: number, excludeIds: readonly string[] = []) {
    let query = selectVideoRows(this.db)
      .innerJoin('trending_scores', 'trending_scores.video_id', 'videos.id')
      .select('trending_scores.score as trending_score')
      .where(isListed);
    if (after) query = query.where(sql<boolean>`(trending_scores.score, trending_scores.video_id) < (${after.key}::float8, ${after.id}::uuid)`);
    if (excludeIds.length) query = query.where('videos.id', 'not in', excludeIds);
    return query.orderBy('trending_scores.score', 'desc').orderBy('trending_scores.video_id', 'desc').limit(limit).execute();
  }

  /**
   * Videos like `videoId`: those sharing words of its title or its tags (full-text, ranked), with a bonus for the
   * same channel, plus the channel's newest uploads. The source's title and tag lexemes become one OR query.
   */
  related(videoId: string, limit: number) {
    const terms = sql<string>`(
      SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery
      FROM (SELECT lexeme FROM video_search_documents, unnest(tsvector_to_array(ts_filter(document, '{a,b}'))) AS lexeme
            WHERE video_id = ${videoId} LIMIT 32) AS source_terms
    )`;
    const sourceChannel = sql<string>`(SELECT channel_id FROM videos WHERE id = ${videoId})`;
    return this.db
      .with('terms', (db) => db.selectNoFrom(terms.as('query')))
      .with('candidates', (db) =>
        db
          .selectFrom('video_search_documents')
          .select('video_id as id')
          .where(sql<boolean>`document @@ (SELECT query FROM terms)`)
          .union(
            db
              .selectFrom((sub) =>
                sub
                  .selectFrom('videos')
                  .select('videos.id')
                  .where('videos.channel_id', '=', sourceChannel)
                  .where(isListed)
                  .orderBy('videos.published_at', 'desc')
                  .limit(limit)
                  .as('same_channel'),
              )
              .select('same_channel.id'),
          ),
      )
      .selectFrom('candidates')
      .innerJoin('videos', 'videos.id', 'candidates.id')
      .innerJoin('channels', 'channels.id', 'videos.channel_id')
      .innerJoin('video_search_documents as document', 'document.video_id', 'videos.id')
      .selectAll('videos')
      .select(VIDEO_CHANNEL_COLUMNS)
      .select(
        sql<number>`(coalesce(ts_rank_cd(document.document, (SELECT query FROM terms), 32), 0) + CASE WHEN videos.channel_id = ${sourceChannel} THEN 0.2 ELSE 0 END)::float8`.as(
          'related_score',
        ),
      )
      .where(isListed)
      .where('videos.id', '!=', videoId)
      .orderBy('related_score', 'desc')
      .orderBy('videos.view_count', 'desc')
      .orderBy('videos.id', 'desc')
      .limit(limit)
      .execute();
  }
}
