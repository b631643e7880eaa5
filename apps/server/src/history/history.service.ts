import { sql } from 'kysely';
import type { HistoryPage, Progress } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Infra } from '../infra/infra.ts';
import { decodeCursor, encodeCursor } from '../videos/video.repository.ts';
import type { VideoService } from '../videos/video.service.ts';

/** Watch history with resume positions. SQL lives here too: it is three small statements. */
export class HistoryService {
  constructor(
    private readonly infra: Infra,
    private readonly videos: VideoService,
  ) {}

  async isPaused(user: AuthUser): Promise<boolean> {
    const row = await this.infra.db.selectFrom('users').select('history_paused').where('id', '=', user.id).executeTakeFirst();
    return row?.history_paused ?? false;
  }

  async setPaused(user: AuthUser, paused: boolean): Promise<void> {
    await this.infra.db.updateTable('users').set({ history_paused: paused }).where('id', '=', user.id).execute();
  }

  /** Records where the viewer is in a video (ignored while history is paused). */
  async saveProgress(user: AuthUser, videoId: string, positionSeconds: number): Promise<void> {
    const video = await this.videos.get(videoId, user);
    if (await this.isPaused(user)) return;
    const position = video.durationSeconds ? Math.min(positionSeconds, video.durationSeconds) : positionSeconds;
    await this.infra.db
      .insertInto('watch_history')
      .values({ user_id: user.id, video_id: videoId, position_seconds: position })
      .onConflict((oc) => oc.columns(['user_id', 'video_id']).doUpdateSet({ position_seconds: position, watched_at: sql`now()` }))
      .execute();
  }

  /** Where to resume; null when never watched or finished (within the last 5%). */
  async progress(user: AuthUser, videoId: string): Promise<Progress> {
    const video = await this.videos.get(videoId, user);
    const row = await this.infra.db.selectFrom('watch_history').select('position_seconds').where('user_id', '=', user.id).where('video_id', '=', videoId).executeTakeFirst();
    if (!row) return { positionSeconds: null };
    const nearEnd = video.durationSeconds !== null && row.position_seconds >= video.durationSeconds * 0.95;
    return { positionSeconds: nearEnd ? null : row.position_seconds };
  }

  async list(user: AuthUser, cursor: string | undefined, limit: number): Promise<HistoryPage> {
    const position = decodeCursor(cursor);
    let query = this.infra.db.selectFrom('watch_history').select(['video_id', 'position_seconds', 'watched_at']).where('user_id', '=', user.id);
    if (position) query = query.where(sql<boolean>`(watched_at, video_id) < (${position.at}, ${position.id}::uuid)`);
    const rows = await query.orderBy('watched_at', 'desc').orderBy('video_id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const items: HistoryPage['items'] = [];
    for (const row of page) {
      const video = await this.videos.get(row.video_id, user).catch(() => null);
      if (video) items.push({ video, positionSeconds: row.position_seconds, watchedAt: new Date(row.watched_at).toISOString() });
    }
    const last = page.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: new Date(last.watched_at), id: last.video_id }) : null };
  }

  async clear(user: AuthUser, videoId?: string): Promise<void> {
    let query = this.infra.db.deleteFrom('watch_history').where('user_id', '=', user.id);
    if (videoId) query = query.where('video_id', '=', videoId);
    await query.execute();
  }
}
