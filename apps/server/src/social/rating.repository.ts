import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';

export type StoredRating = -1 | 0 | 1;

export class RatingRepository {
  constructor(private readonly db: Db) {}

  async counts(videoId: string): Promise<{ likeCount: number; dislikeCount: number }> {
    const row = await this.db.selectFrom('videos').select(['like_count', 'dislike_count']).where('id', '=', videoId).executeTakeFirstOrThrow();
    return { likeCount: Number(row.like_count), dislikeCount: Number(row.dislike_count) };
  }

  async ratingOf(userId: string, videoId: string): Promise<StoredRating> {
    const row = await this.db.selectFrom('video_votes').select('value').where('user_id', '=', userId).where('video_id', '=', videoId).executeTakeFirst();
    return (row?.value ?? 0) as StoredRating;
  }

  /**
   * Sets one user's vote and moves the video's counters by the difference, in one transaction. The vote row
   * is locked (or its absence guarded by an advisory lock), so concurrent votes by the same user serialise
   * and the counters stay exact.
   */
  async setRating(userId: string, videoId: string, rating: StoredRating): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`vote:${userId}:${videoId}`}, 0))`.execute(trx);
      const existing = await trx.selectFrom('video_votes').select('value').where('user_id', '=', userId).where('video_id', '=', videoId).executeTakeFirst();
      const previous = (existing?.value ?? 0) as StoredRating;
      if (previous === rating) return;
      if (rating === 0) await trx.deleteFrom('video_votes').where('user_id', '=', userId).where('video_id', '=', videoId).execute();
      else if (previous === 0) await trx.insertInto('video_votes').values({ user_id: userId, video_id: videoId, value: rating }).execute();
      else
        await trx
          .updateTable('video_votes')
          .set({ value: rating, created_at: sql`now()` })
          .where('user_id', '=', userId)
          .where('video_id', '=', videoId)
          .execute();
      const likeDelta = (rating === 1 ? 1 : 0) - (previous === 1 ? 1 : 0);
      const dislikeDelta = (rating === -1 ? 1 : 0) - (previous === -1 ? 1 : 0);
      await trx
        .updateTable('videos')
        .set({ like_count: sql`like_count + ${likeDelta}`, dislike_count: sql`dislike_count + ${dislikeDelta}` })
        .where('id', '=', videoId)
        .execute();
    });
  }
}
