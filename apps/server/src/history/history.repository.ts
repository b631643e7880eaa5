import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import { afterKeyset, type Keyset } from '../infra/db/keyset.ts';
import { selectVideoRows } from '../videos/video-rows.ts';

/** Watch history with resume positions, and the per-user switch that pauses it. */
export class HistoryRepository {
  constructor(private readonly db: Db) {}

  async isPaused(userId: string): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('history_paused').where('id', '=', userId).executeTakeFirst();
    return row?.history_paused ?? false;
  }

  async setPaused(userId: string, paused: boolean): Promise<void> {
    await this.db.updateTable('users').set({ history_paused: paused }).where('id', '=', userId).execute();
  }

  async savePosition(userId: string, videoId: string, positionSeconds: number): Promise<void> {
    await this.db
      .insertInto('watch_history')
      .values({ user_id: userId, video_id: videoId, position_seconds: positionSeconds })
      .onConflict((oc) => oc.columns(['user_id', 'video_id']).doUpdateSet({ position_seconds: positionSeconds, watched_at: sql`now()` }))
      .execute();
  }

  async position(userId: string, videoId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('watch_history')
      .select('position_seconds')
      .where('user_id', '=', userId)
      .where('video_id', '=', videoId)
      .executeTakeFirst();
    return row?.position_seconds ?? null;
  }

  /** One page of history entries with their videos (one query), latest first; `limit + 1` rows tell whether more follow. */
  list(userId: string, after: Keyset<string> | null, limit: number) {
    let query = selectVideoRows(this.db)
      .innerJoin('watch_history', 'watch_history.video_id', 'videos.id')
      .select(['watch_history.position_seconds', 'watch_history.watched_at'])
      .select(sql<string>`watch_history.watched_at::text`.as('position'))
      .where('watch_history.user_id', '=', userId);
    if (after) query = query.where(afterKeyset(['watch_history.watched_at'], 'watch_history.video_id', [after.key], after.id));
    return query.orderBy('watch_history.watched_at', 'desc').orderBy('watch_history.video_id', 'desc').limit(limit).execute();
  }

  async clear(userId: string, videoId?: string): Promise<void> {
    let query = this.db.deleteFrom('watch_history').where('user_id', '=', userId);
    if (videoId) query = query.where('video_id', '=', videoId);
    await query.execute();
  }
}
