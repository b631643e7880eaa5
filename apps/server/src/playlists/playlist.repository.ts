import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { VisibilityColumn } from '../infra/db/schema.ts';

export type PlaylistRow = NonNullable<Awaited<ReturnType<PlaylistRepository['findById']>>>;

export class PlaylistRepository {
  constructor(private readonly db: Db) {}

  private selectPlaylists() {
    return this.db
      .selectFrom('playlists')
      .innerJoin('users', 'users.id', 'playlists.user_id')
      .selectAll('playlists')
      .select('users.username as owner_username');
  }

  findById(id: string) {
    return this.selectPlaylists().where('playlists.id', '=', id).executeTakeFirst();
  }

  listByUser(userId: string, includeNonPublic: boolean) {
    let query = this.selectPlaylists().where('playlists.user_id', '=', userId);
    if (!includeNonPublic) query = query.where('playlists.visibility', '=', 'public').where('playlists.kind', '=', 'regular');
    return query.orderBy(sql`playlists.kind = 'watch_later'`, 'desc').orderBy('playlists.updated_at', 'desc').execute();
  }

  /** The user's Watch later list, created on first use (a unique index keeps it to one per user). */
  async watchLaterId(userId: string): Promise<string> {
    await this.db
      .insertInto('playlists')
      .values({ user_id: userId, title: 'Watch later', visibility: 'private', kind: 'watch_later' } as never)
      .onConflict((oc) => oc.column('user_id').where('kind', '=', 'watch_later').doNothing())
      .execute();
    const row = await this.db.selectFrom('playlists').select('id').where('user_id', '=', userId).where('kind', '=', 'watch_later').executeTakeFirstOrThrow();
    return row.id;
  }

  async create(input: { userId: string; title: string; description: string; visibility: VisibilityColumn }): Promise<string> {
    const row = await this.db
      .insertInto('playlists')
      .values({ user_id: input.userId, title: input.title, description: input.description, visibility: input.visibility })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: string, fields: { title?: string; description?: string; visibility?: VisibilityColumn }): Promise<void> {
    await this.db
      .updateTable('playlists')
      .set({ ...fields, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('playlists').where('id', '=', id).execute();
  }

  itemVideoIds(playlistId: string): Promise<{ video_id: string }[]> {
    return this.db.selectFrom('playlist_items').select('video_id').where('playlist_id', '=', playlistId).orderBy('position').execute();
  }

  /** Appends a video (no-op when already present) and keeps video_count exact. Returns whether it was added. */
  async addItem(playlistId: string, videoId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const playlist = await trx.selectFrom('playlists').select('id').where('id', '=', playlistId).forUpdate().executeTakeFirst();
      if (!playlist) return false;
      const inserted = await trx
        .insertInto('playlist_items')
        .values((eb) => ({
          playlist_id: playlistId,
          video_id: videoId,
          position: eb.selectFrom('playlist_items').select(sql<number>`coalesce(max(position), 0) + 1`.as('next')).where('playlist_id', '=', playlistId),
        }))
        .onConflict((oc) => oc.columns(['playlist_id', 'video_id']).doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 1n) return false;
      await trx.updateTable('playlists').set({ video_count: sql`video_count + 1`, updated_at: sql`now()` }).where('id', '=', playlistId).execute();
      return true;
    });
  }

  async removeItem(playlistId: string, videoId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('playlist_items').where('playlist_id', '=', playlistId).where('video_id', '=', videoId).executeTakeFirst();
      if (removed.numDeletedRows !== 1n) return false;
      await trx.updateTable('playlists').set({ video_count: sql`video_count - 1`, updated_at: sql`now()` }).where('id', '=', playlistId).execute();
      return true;
    });
  }

  /** Rewrites positions in the given order; the caller checks it is a permutation of the current items. */
  async reorder(playlistId: string, videoIds: string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.selectFrom('playlists').select('id').where('id', '=', playlistId).forUpdate().execute();
      if (videoIds.length === 0) return;
      await sql`
        UPDATE playlist_items SET position = ordered.position
        FROM (SELECT unnest(${videoIds}::uuid[]) AS video_id, generate_series(1, ${videoIds.length}) AS position) AS ordered
        WHERE playlist_items.playlist_id = ${playlistId} AND playlist_items.video_id = ordered.video_id
      `.execute(trx);
      await trx.updateTable('playlists').set({ updated_at: sql`now()` }).where('id', '=', playlistId).execute();
    });
  }
}
