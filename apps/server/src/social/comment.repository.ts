import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database } from '../infra/db/schema.ts';
import { afterKeyset, type CompositeKeyset } from '../infra/db/keyset.ts';

export type CommentRow = Awaited<ReturnType<CommentRepository['findById']>> & object;

/** Keyset position for comment listings: like count and time (`top`) or time alone, and the id of the last item. */
export type CommentCursor = CompositeKeyset<readonly ['number', 'timestamp']> | CompositeKeyset<readonly ['timestamp']>;

export class CommentRepository {
  constructor(private readonly db: Db) {}

  private selectComments(viewerId: string | null) {
    return (
      this.db
        .selectFrom('comments')
        .innerJoin('users', 'users.id', 'comments.user_id')
        .leftJoin('channels', (join) => join.onRef('channels.user_id', '=', 'users.id').on('channels.is_default', '=', true))
        .selectAll('comments')
        .select(['users.username', 'channels.handle as channel_handle', 'channels.avatar_key'])
        // The sort time as PostgreSQL's text, for exact cursors (a JavaScript Date keeps milliseconds only).
        .select(sql<string>`comments.created_at::text`.as('position'))
        .select((eb) =>
          viewerId
            ? eb
                .exists(
                  eb
                    .selectFrom('comment_likes')
                    .select('comment_likes.user_id')
                    .whereRef('comment_likes.comment_id', '=', 'comments.id')
                    .where('comment_likes.user_id', '=', viewerId),
                )
                .as('liked_by_me')
            : sql<boolean>`false`.as('liked_by_me'),
        )
    );
  }

  findById(id: string, viewerId: string | null = null) {
    return this.selectComments(viewerId).where('comments.id', '=', id).executeTakeFirst();
  }

  /** Top-level comments (or replies of one comment), visible ones only, in keyset pages. */
  list(options: {
    videoId?: string;
    parentId?: string;
    viewerId: string | null;
    sort: 'newest' | 'top' | 'oldest';
    cursor: CommentCursor | null;
    limit: number;
  }) {
    let query: SelectQueryBuilder<Database, 'comments' | 'users' | 'channels', CommentRow> = this.selectComments(options.viewerId)
      .where('comments.hidden_at', 'is', null)
      .where('comments.held', '=', false);
    query = options.parentId
      ? query.where('comments.parent_id', '=', options.parentId)
      : query.where('comments.video_id', '=', options.videoId!).where('comments.parent_id', 'is', null);
    const { cursor } = options;
    if (options.sort === 'top') {
      if (cursor) query = query.where(afterKeyset(['comments.like_count', 'comments.created_at'], 'comments.id', cursor.keys, cursor.id));
      query = query.orderBy('comments.like_count', 'desc').orderBy('comments.created_at', 'desc').orderBy('comments.id', 'desc');
    } else if (options.sort === 'newest') {
      if (cursor) query = query.where(afterKeyset(['comments.created_at'], 'comments.id', cursor.keys, cursor.id));
      query = query.orderBy('comments.created_at', 'desc').orderBy('comments.id', 'desc');
    } else {
      if (cursor) query = query.where(afterKeyset(['comments.created_at'], 'comments.id', cursor.keys, cursor.id, 'asc'));
      query = query.orderBy('comments.created_at', 'asc').orderBy('comments.id', 'asc');
    }
    return query.limit(options.limit).execute();
  }

  /** Inserts a comment and bumps the video's (and parent's) counters in the same transaction; a held comment counts once approved. */
  async create(input: { videoId: string; userId: string; parentId: string | null; body: string; held?: boolean }): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('comments')
        .values({ video_id: input.videoId, user_id: input.userId, parent_id: input.parentId, body: input.body, held: input.held ?? false })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (input.held) return id;
      await trx.updateTable('videos').set({ comment_count: sql`comment_count + 1` }).where('id', '=', input.videoId).execute();
      if (input.parentId) await trx.updateTable('comments').set({ reply_count: sql`reply_count + 1` }).where('id', '=', input.parentId).execute();
      return id;
    });
  }

  async edit(id: string, body: string): Promise<void> {
    await this.db.updateTable('comments').set({ body, edited_at: sql`now()` }).where('id', '=', id).execute();
  }

  /** Deletes a comment with its replies and takes them off the counters. */
  async delete(comment: { id: string; video_id: string; parent_id: string | null }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('comments')
        .where((eb) => eb.or([eb('id', '=', comment.id), eb('parent_id', '=', comment.id)]))
        .returning(['id', 'held'])
        .execute();
      // Held comments were never counted.
      const counted = removed.filter((row) => !row.held).length;
      if (counted === 0) return;
      await trx
        .updateTable('videos')
        .set({ comment_count: sql`greatest(comment_count - ${counted}, 0)` })
        .where('id', '=', comment.video_id)
        .execute();
      if (comment.parent_id && !removed.find((row) => row.id === comment.id)?.held)
        await trx.updateTable('comments').set({ reply_count: sql`greatest(reply_count - 1, 0)` }).where('id', '=', comment.parent_id).execute();
    });
  }

  async setLike(userId: string, commentId: string, liked: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const changed = liked
        ? (
            await trx
              .insertInto('comment_likes')
              .values({ user_id: userId, comment_id: commentId })
              .onConflict((oc) => oc.doNothing())
              .executeTakeFirst()
          ).numInsertedOrUpdatedRows
        : (await trx.deleteFrom('comment_likes').where('user_id', '=', userId).where('comment_id', '=', commentId).executeTakeFirst()).numDeletedRows;
      if (changed === 1n)
        await trx
          .updateTable('comments')
          .set({ like_count: sql`like_count + ${liked ? 1 : -1}` })
          .where('id', '=', commentId)
          .execute();
    });
  }

  /** Comments waiting for approval on the videos of one owner, oldest first. */
  listHeldForOwner(ownerId: string, limit: number) {
    return this.selectComments(ownerId)
      .innerJoin('videos', 'videos.id', 'comments.video_id')
      .select('videos.title as video_title')
      .where('videos.user_id', '=', ownerId)
      .where('comments.held', '=', true)
      .orderBy('comments.created_at', 'asc')
      .orderBy('comments.id', 'asc')
      .limit(limit)
      .execute();
  }

  /** Publishes a held comment and counts it; false when it was not held (already approved, or deleted). */
  async approve(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const approved = await trx
        .updateTable('comments')
        .set({ held: false })
        .where('id', '=', id)
        .where('held', '=', true)
        .returning(['video_id', 'parent_id'])
        .executeTakeFirst();
      if (!approved) return false;
      await trx.updateTable('videos').set({ comment_count: sql`comment_count + 1` }).where('id', '=', approved.video_id).execute();
      if (approved.parent_id) await trx.updateTable('comments').set({ reply_count: sql`reply_count + 1` }).where('id', '=', approved.parent_id).execute();
      return true;
    });
  }

  async countVisible(videoId: string): Promise<number> {
    const row = await this.db.selectFrom('videos').select('comment_count').where('id', '=', videoId).executeTakeFirstOrThrow();
    return Number(row.comment_count);
  }
}
