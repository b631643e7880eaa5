import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Keyset } from '../infra/db/keyset.ts';

export const UNREAD_COUNT_CAP = 999;

/**
 * Whether a notification may be shown, decided when it is read, so nothing leaks about a video that was made
 * private, unlisted or hidden after it was announced: subscribers see `video_published` only while the video is
 * listed; `video_ready` / `video_failed` go to the video's owner, who may always see it. Deleting a video deletes
 * its notifications (foreign key cascade).
 */
const isShowable = sql<boolean>`(
  (notifications.kind = 'video_published' AND videos.status = 'ready' AND videos.visibility = 'public' AND videos.hidden_at IS NULL)
  OR (notifications.kind IN ('video_ready', 'video_failed') AND videos.user_id = notifications.user_id)
)`;

export class NotificationRepository {
  constructor(private readonly db: Db) {}

  /**
   * One statement: the owner learns the video is ready and, if it is public and not hidden, every subscriber of its
   * channel is told it was published. Does nothing unless the video is ready now; each recipient is told once.
   */
  async fanOutReady(videoId: string): Promise<number> {
    const result = await sql`
      WITH video AS (
        SELECT id, user_id, channel_id, visibility, hidden_at FROM videos WHERE id = ${videoId} AND status = 'ready'
      )
      INSERT INTO notifications (user_id, kind, video_id, channel_id, actor_user_id)
      SELECT video.user_id, 'video_ready', video.id, video.channel_id, video.user_id FROM video
      UNION ALL
      SELECT subscriptions.user_id, 'video_published', video.id, video.channel_id, video.user_id
      FROM video JOIN subscriptions ON subscriptions.channel_id = video.channel_id
      WHERE video.visibility = 'public' AND video.hidden_at IS NULL AND subscriptions.user_id <> video.user_id
      ON CONFLICT DO NOTHING
    `.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Subscribers only, for a video that becomes public after it was ready (e.g. unlisted → public). */
  async fanOutPublished(videoId: string): Promise<number> {
    const result = await sql`
      INSERT INTO notifications (user_id, kind, video_id, channel_id, actor_user_id)
      SELECT subscriptions.user_id, 'video_published', videos.id, videos.channel_id, videos.user_id
      FROM videos JOIN subscriptions ON subscriptions.channel_id = videos.channel_id
      WHERE videos.id = ${videoId} AND videos.status = 'ready' AND videos.visibility = 'public' AND videos.hidden_at IS NULL
        AND subscriptions.user_id <> videos.user_id
      ON CONFLICT DO NOTHING
    `.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  /** The owner learns why processing failed; only if the video is failed now. */
  async recordFailed(videoId: string): Promise<number> {
    const result = await sql`
      INSERT INTO notifications (user_id, kind, video_id, channel_id, actor_user_id, detail)
      SELECT user_id, 'video_failed', id, channel_id, NULL, error FROM videos WHERE id = ${videoId} AND status = 'failed'
    `.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }

  list(userId: string, options: { after: Keyset<string> | null; limit: number; unreadOnly: boolean }) {
    let query = this.db
      .selectFrom('notifications')
      .innerJoin('videos', 'videos.id', 'notifications.video_id')
      .leftJoin('channels', 'channels.id', 'notifications.channel_id')
      .select([
        'notifications.id',
        'notifications.kind',
        'notifications.detail',
        'notifications.created_at',
        'notifications.read_at',
        'videos.id as video_id',
        'videos.title as video_title',
        'videos.status as video_status',
        'videos.visibility as video_visibility',
        'videos.media_prefix as video_media_prefix',
        'videos.thumbnail_file',
        'videos.media_link_generation as video_media_link_generation',
        'videos.duration_seconds as video_duration_seconds',
        'channels.id as channel_id',
        'channels.handle as channel_handle',
        'channels.name as channel_name',
      ])
      .select(sql<string>`notifications.created_at::text`.as('position'))
      .where('notifications.user_id', '=', userId)
      .where(isShowable);
    if (options.unreadOnly) query = query.where('notifications.read_at', 'is', null);
    if (options.after)
      query = query.where(sql<boolean>`(notifications.created_at, notifications.id) < (${options.after.key}::timestamptz, ${options.after.id}::uuid)`);
    return query.orderBy('notifications.created_at', 'desc').orderBy('notifications.id', 'desc').limit(options.limit).execute();
  }

  async unreadCount(userId: string): Promise<number> {
    const { rows } = await sql<{ unread: number }>`
      SELECT count(*)::int AS unread FROM (
        SELECT 1 FROM notifications JOIN videos ON videos.id = notifications.video_id
        WHERE notifications.user_id = ${userId} AND notifications.read_at IS NULL AND ${isShowable}
        LIMIT ${UNREAD_COUNT_CAP}
      ) AS unread
    `.execute(this.db);
    return rows[0]?.unread ?? 0;
  }

  async markRead(userId: string, ids: readonly string[] | undefined): Promise<void> {
    let query = this.db.updateTable('notifications').set({ read_at: sql`now()` }).where('user_id', '=', userId).where('read_at', 'is', null);
    if (ids) {
      if (ids.length === 0) return;
      query = query.where('id', 'in', ids);
    }
    await query.execute();
  }
}
