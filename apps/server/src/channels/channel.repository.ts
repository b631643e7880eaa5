import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';

export type ChannelRow = NonNullable<Awaited<ReturnType<ChannelRepository['find']>>>;

export class ChannelRepository {
  constructor(private readonly db: Db) {}

  private selectChannels() {
    return this.db
      .selectFrom('channels')
      .innerJoin('users', 'users.id', 'channels.user_id')
      .selectAll('channels')
      .select(['users.username as owner_username'])
      .select((eb) =>
        eb
          .selectFrom('videos')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('videos.channel_id', '=', 'channels.id')
          .where('videos.status', '=', 'ready')
          .where('videos.visibility', '=', 'public')
          .where('videos.hidden_at', 'is', null)
          .as('video_count'),
      );
  }

  /** By id or by handle (case-insensitive). */
  find(idOrHandle: string) {
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrHandle);
    return this.selectChannels()
      .where(isId ? sql<boolean>`channels.id = ${idOrHandle}::uuid` : sql<boolean>`lower(channels.handle) = ${idOrHandle.toLowerCase()}`)
      .executeTakeFirst();
  }

  listByUser(userId: string) {
    return this.selectChannels().where('channels.user_id', '=', userId).orderBy('channels.is_default', 'desc').orderBy('channels.created_at').execute();
  }

  listSubscribedBy(userId: string) {
    return this.selectChannels()
      .innerJoin('subscriptions', 'subscriptions.channel_id', 'channels.id')
      .where('subscriptions.user_id', '=', userId)
      .orderBy('channels.name')
      .execute();
  }

  async countOwnedBy(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('channels')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async handleTaken(handle: string): Promise<boolean> {
    const row = await this.db.selectFrom('channels').select('id').where(sql<string>`lower(handle)`, '=', handle.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  async create(input: { userId: string; handle: string; name: string; description: string }): Promise<string> {
    const row = await this.db
      .insertInto('channels')
      .values({ user_id: input.userId, handle: input.handle, name: input.name, description: input.description, is_default: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: string, fields: { name?: string; description?: string; avatar_key?: string; banner_key?: string }): Promise<void> {
    await this.db
      .updateTable('channels')
      .set({ ...fields, updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  async isSubscribed(userId: string, channelId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('subscriptions')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('channel_id', '=', channelId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Adds or removes a subscription and moves the channel's count in the same transaction, so it stays exact. */
  async setSubscription(userId: string, channelId: string, subscribed: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const changed = subscribed
        ? await trx
            .insertInto('subscriptions')
            .values({ user_id: userId, channel_id: channelId })
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst()
        : await trx.deleteFrom('subscriptions').where('user_id', '=', userId).where('channel_id', '=', channelId).executeTakeFirst();
      const affected = 'numInsertedOrUpdatedRows' in changed ? changed.numInsertedOrUpdatedRows : changed.numDeletedRows;
      if (affected === 1n) {
        await trx
          .updateTable('channels')
          .set({ subscriber_count: sql`subscriber_count + ${subscribed ? 1 : -1}` })
          .where('id', '=', channelId)
          .execute();
      }
    });
  }
}
