import { sql } from 'kysely';
import type { StudioSort, StudioVideoQuery } from '@tube/shared';
import type { Db } from '../infra/db/database.ts';
import { selectVideoRows } from '../videos/video-rows.ts';

const ORDER: Record<
  StudioSort,
  [column: 'videos.created_at' | 'videos.title' | 'videos.view_count' | 'videos.like_count' | 'videos.comment_count', direction: 'asc' | 'desc']
> = {
  newest: ['videos.created_at', 'desc'],
  oldest: ['videos.created_at', 'asc'],
  title: ['videos.title', 'asc'],
  views: ['videos.view_count', 'desc'],
  likes: ['videos.like_count', 'desc'],
  comments: ['videos.comment_count', 'desc'],
};

/** An owner's videos for the studio: any filter combination and sort, paged by offset (one person's list is short). */
export class StudioRepository {
  constructor(private readonly db: Db) {}

  private filtered(userId: string, query: StudioVideoQuery) {
    let select = selectVideoRows(this.db).where('videos.user_id', '=', userId);
    if (query.q?.trim()) select = select.where('videos.title', 'ilike', `%${query.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (query.status) select = select.where('videos.status', '=', query.status);
    if (query.channelId) select = select.where('videos.channel_id', '=', query.channelId);
    switch (query.visibility) {
      case undefined:
        break;
      case 'draft':
        select = select.where('videos.draft', '=', true);
        break;
      case 'scheduled':
        select = select.where('videos.publish_at', 'is not', null);
        break;
      case 'private':
        select = select.where('videos.visibility', '=', 'private').where('videos.draft', '=', false).where('videos.publish_at', 'is', null);
        break;
      default:
        select = select.where('videos.visibility', '=', query.visibility);
    }
    return select;
  }

  list(userId: string, query: StudioVideoQuery, offset: number, limit: number) {
    const [column, direction] = ORDER[query.sort ?? 'newest'];
    return this.filtered(userId, query).orderBy(column, direction).orderBy('videos.id', 'desc').offset(offset).limit(limit).execute();
  }

  async count(userId: string, query: StudioVideoQuery): Promise<number> {
    const row = await this.db
      .selectFrom(this.filtered(userId, query).as('matching'))
      .select((eb) => eb.fn.countAll<string>().as('total'))
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  /** Views and watch time of the last 7 days (today included) and comments awaiting approval, per video. */
  async stats(videoIds: readonly string[]) {
    if (videoIds.length === 0) return [];
    const { rows } = await sql<{ video_id: string; views: number; watch_seconds: number; held: number }>`
      SELECT v.id AS video_id,
             coalesce((SELECT sum(views) FROM video_stats_daily d WHERE d.video_id = v.id AND d.day > (now() AT TIME ZONE 'UTC')::date - 7), 0)::int AS views,
             coalesce((SELECT sum(watch_seconds) FROM video_stats_daily d WHERE d.video_id = v.id AND d.day > (now() AT TIME ZONE 'UTC')::date - 7), 0)::float8 AS watch_seconds,
             (SELECT count(*) FROM comments c WHERE c.video_id = v.id AND c.held)::int AS held
      FROM videos v WHERE v.id IN (${sql.join(videoIds)})
    `.execute(this.db);
    return rows;
  }
}
