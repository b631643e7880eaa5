import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database } from '../infra/db/schema.ts';

export type EmailTokenPurpose = 'verify_email' | 'reset_password';

export class AccountRepository {
  constructor(private readonly db: Db) {}

  findUser(userId: string) {
    return this.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  }

  findUserByEmail(email: string) {
    return this.db.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
  }

  /** Stores a new token and retires the user's earlier unused ones for the same purpose (only the newest link works). */
  async insertToken(input: { tokenHash: string; userId: string; purpose: EmailTokenPurpose; email: string; expiresAt: Date }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('account_tokens')
        .set({ used_at: sql`now()` })
        .where('user_id', '=', input.userId)
        .where('purpose', '=', input.purpose)
        .where('used_at', 'is', null)
        .execute();
      await trx
        .insertInto('account_tokens')
        .values({ token_hash: input.tokenHash, user_id: input.userId, purpose: input.purpose, email: input.email, expires_at: input.expiresAt })
        .execute();
    });
  }

  /** Spends a token: succeeds once, only before it expires. */
  consumeToken(trx: Transaction<Database>, tokenHash: string, purpose: EmailTokenPurpose) {
    return trx
      .updateTable('account_tokens')
      .set({ used_at: sql`now()` })
      .where('token_hash', '=', tokenHash)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .returning(['user_id', 'email'])
      .executeTakeFirst();
  }

  pendingEmail(userId: string) {
    return this.db
      .selectFrom('account_tokens')
      .innerJoin('users', 'users.id', 'account_tokens.user_id')
      .select('account_tokens.email')
      .where('account_tokens.user_id', '=', userId)
      .where('account_tokens.purpose', '=', 'verify_email')
      .where('account_tokens.used_at', 'is', null)
      .where('account_tokens.expires_at', '>', sql<Date>`now()`)
      .where(sql<boolean>`lower(account_tokens.email) IS DISTINCT FROM lower(users.email)`)
      .executeTakeFirst()
      .then((row) => row?.email ?? null);
  }

  async setPasswordHash(trx: Transaction<Database> | Db, userId: string, passwordHash: string): Promise<void> {
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
  }

  async markEmailVerified(trx: Transaction<Database> | Db, userId: string, email: string): Promise<boolean> {
    const result = await trx.updateTable('users').set({ email, email_verified_at: sql`now()` }).where('id', '=', userId).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async setUsername(userId: string, username: string): Promise<void> {
    await this.db.updateTable('users').set({ username }).where('id', '=', userId).execute();
  }

  async setNotificationPreferences(userId: string, prefs: { email_on_new_videos?: boolean; email_on_comments?: boolean }): Promise<void> {
    if (Object.keys(prefs).length === 0) return;
    await this.db.updateTable('users').set(prefs).where('id', '=', userId).execute();
  }

  async scheduleDeletion(userId: string, at: Date): Promise<void> {
    await this.db.updateTable('users').set({ deletion_scheduled_at: at }).where('id', '=', userId).execute();
  }

  async cancelDeletion(userId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ deletion_scheduled_at: null })
      .where('id', '=', userId)
      .where('deletion_scheduled_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  externalIdentities(userId: string) {
    return this.db.selectFrom('external_identities').select(['issuer', 'subject']).where('user_id', '=', userId).execute();
  }

  async dueForDeletion(): Promise<string[]> {
    const rows = await this.db.selectFrom('users').select('id').where('deletion_scheduled_at', '<=', sql<Date>`now()`).limit(100).execute();
    return rows.map((row) => row.id);
  }

  /** Every storage key the user's content occupies: video media prefixes, sources, channel images. */
  async storedFiles(userId: string) {
    const videos = await this.db.selectFrom('videos').select(['id', 'source_key']).where('user_id', '=', userId).execute();
    const channels = await this.db.selectFrom('channels').select(['avatar_key', 'banner_key']).where('user_id', '=', userId).execute();
    return { videos, channelKeys: channels.flatMap((c) => [c.avatar_key, c.banner_key]).filter((key): key is string => key !== null) };
  }

  /**
   * Removes the user and, by cascade, their channels, videos, comments, votes, playlists and history. Counters on other
   * people's rows that the user's rows fed (subscribers, likes, comments, replies, playlist sizes) are recounted in the
   * same transaction so they stay exact.
   */
  async deleteUser(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const channels = await trx.selectFrom('subscriptions').select('channel_id').where('user_id', '=', userId).execute();
      const votedVideos = await trx.selectFrom('video_votes').select('video_id').where('user_id', '=', userId).execute();
      const commented = await trx.selectFrom('comments').select(['video_id', 'parent_id']).where('user_id', '=', userId).execute();
      const likedComments = await trx.selectFrom('comment_likes').select('comment_id').where('user_id', '=', userId).execute();
      const playlists = await trx
        .selectFrom('playlist_items')
        .innerJoin('videos', 'videos.id', 'playlist_items.video_id')
        .select('playlist_items.playlist_id')
        .where('videos.user_id', '=', userId)
        .execute();
      await trx.deleteFrom('users').where('id', '=', userId).execute();

      const channelIds = [...new Set(channels.map((r) => r.channel_id))];
      if (channelIds.length) {
        await trx
          .updateTable('channels')
          .set({ subscriber_count: sql`(SELECT count(*) FROM subscriptions s WHERE s.channel_id = channels.id)` })
          .where('id', 'in', channelIds)
          .execute();
      }
      const videoIds = [...new Set([...votedVideos.map((r) => r.video_id), ...commented.map((r) => r.video_id)])];
      if (videoIds.length) {
        await trx
          .updateTable('videos')
          .set({
            like_count: sql`(SELECT count(*) FROM video_votes v WHERE v.video_id = videos.id AND v.value = 1)`,
            dislike_count: sql`(SELECT count(*) FROM video_votes v WHERE v.video_id = videos.id AND v.value = -1)`,
            comment_count: sql`(SELECT count(*) FROM comments c WHERE c.video_id = videos.id)`,
          })
          .where('id', 'in', videoIds)
          .execute();
      }
      const commentIds = [...new Set([...commented.flatMap((r) => (r.parent_id ? [r.parent_id] : [])), ...likedComments.map((r) => r.comment_id)])];
      if (commentIds.length) {
        await trx
          .updateTable('comments')
          .set({
            reply_count: sql`(SELECT count(*) FROM comments r WHERE r.parent_id = comments.id)`,
            like_count: sql`(SELECT count(*) FROM comment_likes l WHERE l.comment_id = comments.id)`,
          })
          .where('id', 'in', commentIds)
          .execute();
      }
      const playlistIds = [...new Set(playlists.map((r) => r.playlist_id))];
      if (playlistIds.length) {
        await trx
          .updateTable('playlists')
          .set({ video_count: sql`(SELECT count(*) FROM playlist_items i WHERE i.playlist_id = playlists.id)` })
          .where('id', 'in', playlistIds)
          .execute();
      }
    });
  }

  async exportData(userId: string) {
    const [channels, videos, comments, playlists, items, subscriptions, history] = await Promise.all([
      this.db
        .selectFrom('channels')
        .select(['id', 'handle', 'name', 'description', 'created_at'])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute(),
      this.db
        .selectFrom('videos')
        .select(['id', 'channel_id', 'title', 'description', 'tags', 'visibility', 'status', 'created_at', 'source_filename', 'source_key'])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute(),
      this.db.selectFrom('comments').select(['id', 'video_id', 'body', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
      this.db.selectFrom('playlists').select(['id', 'title', 'visibility']).where('user_id', '=', userId).orderBy('created_at').execute(),
      this.db
        .selectFrom('playlist_items')
        .innerJoin('playlists', 'playlists.id', 'playlist_items.playlist_id')
        .select(['playlist_items.playlist_id', 'playlist_items.video_id'])
        .where('playlists.user_id', '=', userId)
        .orderBy('playlist_items.position')
        .execute(),
      this.db.selectFrom('subscriptions').select(['channel_id', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
      this.db
        .selectFrom('watch_history')
        .select(['video_id', 'position_seconds', 'watched_at'])
        .where('user_id', '=', userId)
        .orderBy('watched_at', 'desc')
        .execute(),
    ]);
    return { channels, videos, comments, playlists, items, subscriptions, history };
  }

  ownedSource(userId: string, videoId: string) {
    return this.db.selectFrom('videos').select(['source_key', 'source_filename']).where('id', '=', videoId).where('user_id', '=', userId).executeTakeFirst();
  }

  /** Subscribers told in the app about a new video who want it by email too and have not had it yet. */
  pendingNewVideoEmails(videoId: string, verifiedOnly: boolean) {
    let query = this.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.user_id')
      .innerJoin('videos', 'videos.id', 'notifications.video_id')
      .innerJoin('channels', 'channels.id', 'videos.channel_id')
      .select(['notifications.id', 'users.email', 'videos.title', 'channels.name as channel_name'])
      .where('notifications.video_id', '=', videoId)
      .where('notifications.kind', '=', 'video_published')
      .where('notifications.emailed_at', 'is', null)
      .where('users.email_on_new_videos', '=', true)
      .where('users.email', 'is not', null)
      .where('users.deletion_scheduled_at', 'is', null);
    if (verifiedOnly) query = query.where('users.email_verified_at', 'is not', null);
    return query.execute();
  }

  async markEmailed(notificationId: string): Promise<void> {
    await this.db.updateTable('notifications').set({ emailed_at: sql`now()` }).where('id', '=', notificationId).execute();
  }

  /** The owner of the commented video, if they want comment emails and did not write the comment themselves. */
  commentEmailRecipient(commentId: string, verifiedOnly: boolean) {
    let query = this.db
      .selectFrom('comments')
      .innerJoin('videos', 'videos.id', 'comments.video_id')
      .innerJoin('users as owner', 'owner.id', 'videos.user_id')
      .innerJoin('users as author', 'author.id', 'comments.user_id')
      .select(['comments.body', 'comments.held', 'comments.video_id', 'videos.title', 'owner.email', 'author.username as author_name'])
      .where('comments.id', '=', commentId)
      .where('comments.hidden_at', 'is', null)
      .whereRef('owner.id', '!=', 'author.id')
      .where('owner.email_on_comments', '=', true)
      .where('owner.email', 'is not', null)
      .where('owner.deletion_scheduled_at', 'is', null);
    if (verifiedOnly) query = query.where('owner.email_verified_at', 'is not', null);
    return query.executeTakeFirst();
  }
}
