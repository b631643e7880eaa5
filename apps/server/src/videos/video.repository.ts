import { sql, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database, StoredRendition, VisibilityColumn } from '../infra/db/schema.ts';
import { afterKeyset, type Keyset } from '../infra/db/keyset.ts';
import { selectVideoRows } from './video-rows.ts';

export type VideoRow = Awaited<ReturnType<VideoRepository['findById']>> & object;

/** Columns of 0012_creators a creator sets directly (publishing, thumbnail, search metadata, comments policy). */
export type CreatorFields = Pick<
  Updateable<Database['videos']>,
  | 'draft'
  | 'publish_at'
  | 'publish_visibility'
  | 'thumbnail_file'
  | 'category'
  | 'language'
  | 'licence'
  | 'comments_held'
  | 'comments_enabled'
  | 'published_at'
  | 'allow_downloads'
>;

export class VideoRepository {
  constructor(private readonly db: Db) {}

  private selectVideos(db: Db | Transaction<Database> = this.db) {
    return selectVideoRows(db);
  }

  findById(id: string) {
    return this.selectVideos().where('videos.id', '=', id).executeTakeFirst();
  }

  async create(input: {
    userId: string;
    channelId: string;
    title: string;
    description: string;
    visibility: VisibilityColumn;
    tags: string[];
    creator?: CreatorFields;
  }) {
    const { id } = await this.db
      .insertInto('videos')
      .values({
        user_id: input.userId,
        channel_id: input.channelId,
        title: input.title,
        description: input.description,
        visibility: input.visibility,
        tags: input.tags,
        ...input.creator,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  defaultChannelOf(userId: string) {
    return this.db.selectFrom('channels').select('id').where('user_id', '=', userId).where('is_default', '=', true).executeTakeFirst();
  }

  channelOwnedBy(channelId: string, userId: string) {
    return this.db.selectFrom('channels').select('id').where('id', '=', channelId).where('user_id', '=', userId).executeTakeFirst();
  }

  async bytesUploadedBy(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('videos')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('source_bytes'), eb.lit(0)).as('bytes'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.bytes);
  }

  listPublic(after: Keyset<string> | null, limit: number) {
    let query = this.selectVideos()
      .select(sql<string>`videos.published_at::text`.as('position'))
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public')
      .where('videos.hidden_at', 'is', null);
    if (after) query = query.where(afterKeyset(['videos.published_at'], 'videos.id', [after.key], after.id));
    return query.orderBy('videos.published_at', 'desc').orderBy('videos.id', 'desc').limit(limit).execute();
  }

  /** Public, ready, unhidden videos of one channel, newest first. */
  listPublicByChannel(channelId: string, after: Keyset<string> | null, limit: number) {
    let query = this.selectVideos()
      .select(sql<string>`videos.published_at::text`.as('position'))
      .where('videos.channel_id', '=', channelId)
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public')
      .where('videos.hidden_at', 'is', null);
    if (after) query = query.where(afterKeyset(['videos.published_at'], 'videos.id', [after.key], after.id));
    return query.orderBy('videos.published_at', 'desc').orderBy('videos.id', 'desc').limit(limit).execute();
  }

  /** Newest public videos of the channels a user subscribes to. */
  listSubscriptionFeed(userId: string, after: Keyset<string> | null, limit: number) {
    let query = this.selectVideos()
      .select(sql<string>`videos.published_at::text`.as('position'))
      .innerJoin('subscriptions', 'subscriptions.channel_id', 'videos.channel_id')
      .where('subscriptions.user_id', '=', userId)
      .where('videos.status', '=', 'ready')
      .where('videos.visibility', '=', 'public')
      .where('videos.hidden_at', 'is', null);
    if (after) query = query.where(afterKeyset(['videos.published_at'], 'videos.id', [after.key], after.id));
    return query.orderBy('videos.published_at', 'desc').orderBy('videos.id', 'desc').limit(limit).execute();
  }

  /** Videos a user liked that they may still see (their own, or public/unlisted and unhidden), most recent like first. */
  listLikedBy(userId: string, after: Keyset<string> | null, limit: number) {
    let query = this.selectVideos()
      .innerJoin('video_votes', 'video_votes.video_id', 'videos.id')
      .select(sql<string>`video_votes.created_at::text`.as('position'))
      .where('video_votes.user_id', '=', userId)
      .where('video_votes.value', '=', 1)
      .where((eb) =>
        eb.or([
          eb('videos.user_id', '=', userId),
          eb.and([eb('videos.status', '=', 'ready'), eb('videos.visibility', '!=', 'private'), eb('videos.hidden_at', 'is', null)]),
        ]),
      );
    if (after) query = query.where(afterKeyset(['video_votes.created_at'], 'videos.id', [after.key], after.id));
    return query.orderBy('video_votes.created_at', 'desc').orderBy('videos.id', 'desc').limit(limit).execute();
  }

  listByUser(userId: string, after: Keyset<string> | null, limit: number) {
    let query = this.selectVideos().select(sql<string>`videos.created_at::text`.as('position')).where('videos.user_id', '=', userId);
    if (after) query = query.where(afterKeyset(['videos.created_at'], 'videos.id', [after.key], after.id));
    return query.orderBy('videos.created_at', 'desc').orderBy('videos.id', 'desc').limit(limit).execute();
  }

  /** `revokeMediaLinks` bumps the link generation in the same statement, so no link outlives the change it goes with. */
  async moveToChannel(id: string, channelId: string): Promise<void> {
    await this.db.updateTable('videos').set({ channel_id: channelId, updated_at: sql`now()` }).where('id', '=', id).execute();
  }

  async update(
    id: string,
    {
      revokeMediaLinks = false,
      ...fields
    }: {
      title?: string;
      description?: string;
      visibility?: VisibilityColumn;
      tags?: string[];
      comments_enabled?: boolean;
      revokeMediaLinks?: boolean;
    } & CreatorFields,
  ): Promise<void> {
    if (Object.keys(fields).length === 0 && !revokeMediaLinks) return;
    await this.db
      .updateTable('videos')
      .set({ ...fields, ...(revokeMediaLinks ? { media_link_generation: sql`media_link_generation + 1` } : {}), updated_at: sql`now()` })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Publishes every scheduled video whose time has come, in one statement (concurrent runs cannot publish one twice):
   * it gets its target visibility and the scheduled time as its publication date.
   */
  publishDue() {
    return this.db
      .updateTable('videos')
      .set({
        visibility: sql`publish_visibility`,
        published_at: sql`CASE WHEN status = 'ready' THEN publish_at ELSE NULL END`,
        publish_at: null,
        publish_visibility: null,
        draft: false,
        updated_at: sql`now()`,
      })
      .where('publish_at', '<=', sql<Date>`now()`)
      .returning(['id', 'status', 'visibility'])
      .execute();
  }

  /** A channel's scheduled videos, soonest first (for its owner's channel page). */
  listScheduledByChannel(channelId: string, limit: number) {
    return this.selectVideos()
      .where('videos.channel_id', '=', channelId)
      .where('videos.publish_at', 'is not', null)
      .orderBy('videos.publish_at', 'asc')
      .orderBy('videos.id')
      .limit(limit)
      .execute();
  }

  /**
   * Locks the video's pipeline rows in the order the pipeline itself takes them (early start, then plan, then
   * the video): deleting the video first would lock it before the plan that a publishing worker already holds
   * while it waits for the video, a deadlock that PostgreSQL resolves by failing one side.
   */
  async lockForDelete(trx: Transaction<Database>, id: string): Promise<void> {
    await trx.selectFrom('early_starts').select('video_id').where('video_id', '=', id).forUpdate().execute();
    await trx.selectFrom('transcode_plans').select('video_id').where('video_id', '=', id).forUpdate().execute();
    await trx.selectFrom('videos').select('id').where('id', '=', id).forUpdate().execute();
  }

  async delete(id: string, executor: Db | Transaction<Database> = this.db): Promise<void> {
    await executor.deleteFrom('videos').where('id', '=', id).execute();
  }

  /** What the media route checks before serving a file of the video. */
  async findMediaAccess(id: string) {
    return this.db
      .selectFrom('videos')
      .select(['media_prefix', 'visibility', 'status', 'hidden_at', 'media_link_generation'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Upload complete: the video waits for a worker. Runs inside the transaction that enqueues its job. */
  async markQueued(trx: Transaction<Database>, id: string, source: { key: string; bytes: number; filename: string | null }): Promise<boolean> {
    const result = await trx
      .updateTable('videos')
      .set({
        status: 'queued',
        source_key: source.key,
        source_bytes: source.bytes,
        source_filename: source.filename,
        error: null,
        progress: 0,
        eta_seconds: null,
        attempts: 0,
        queued_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('status', 'in', ['awaiting_upload', 'failed'])
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async requeueFailed(trx: Transaction<Database>, id: string): Promise<boolean> {
    const result = await trx
      .updateTable('videos')
      .set({ status: 'queued', error: null, progress: 0, eta_seconds: null, attempts: 0, queued_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .where('source_key', 'is not', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async queuePosition(id: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('videos as me')
      .innerJoin('videos as ahead', (join) => join.on('ahead.status', '=', 'queued').onRef('ahead.queued_at', '<=', 'me.queued_at'))
      .select((eb) => eb.fn.countAll<number>().as('position'))
      .where('me.id', '=', id)
      .where('me.status', '=', 'queued')
      .executeTakeFirst();
    return row && Number(row.position) > 0 ? Number(row.position) : null;
  }

  /**
   * A worker takes the video: only if it is queued, or processing under a worker whose heartbeat stopped
   * (crashed) — so two live workers never transcode the same video at once.
   */
  claim(id: string, token: string, leaseSeconds: number) {
    return this.db
      .updateTable('videos')
      .set({
        status: 'processing',
        worker_token: token,
        heartbeat_at: sql`now()`,
        processing_started_at: sql`now()`,
        progress: 0,
        eta_seconds: null,
        attempts: sql`attempts + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'queued'),
          eb.and([eb('status', '=', 'processing'), eb('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)]),
        ]),
      )
      .returning(['id', 'source_key', 'attempts', 'media_prefix'])
      .executeTakeFirst();
  }

  /** Returns false when the claim was lost (video deleted or taken over), so the worker stops. */
  async heartbeat(id: string, token: string, progress: number | null, etaSeconds: number | null): Promise<boolean> {
    const result = await this.db
      .updateTable('videos')
      .set({ heartbeat_at: sql`now()`, ...(progress === null ? {} : { progress, eta_seconds: etaSeconds }) })
      .where('id', '=', id)
      .where('worker_token', '=', token)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async markReady(
    id: string,
    token: string,
    result: { mediaPrefix: string; durationSeconds: number; width: number; height: number; renditions: StoredRendition[]; hasStoryboard: boolean },
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable('videos')
      .set({
        status: 'ready',
        media_prefix: result.mediaPrefix,
        duration_seconds: result.durationSeconds,
        width: result.width,
        height: result.height,
        renditions: JSON.stringify(result.renditions),
        has_storyboard: result.hasStoryboard,
        progress: 1,
        eta_seconds: 0,
        error: null,
        worker_token: null,
        published_at: sql`coalesce(published_at, now())`,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('worker_token', '=', token)
      .executeTakeFirst();
    return updated.numUpdatedRows === 1n;
  }

  async markFailed(id: string, token: string, error: string): Promise<void> {
    await this.db
      .updateTable('videos')
      .set({ status: 'failed', error, progress: null, eta_seconds: null, worker_token: null, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('worker_token', '=', token)
      .execute();
  }

  /** A retryable failure: back to the queue, keeping the error for the owner to see. */
  async releaseForRetry(id: string, token: string, error: string): Promise<void> {
    await this.db
      .updateTable('videos')
      .set({ status: 'queued', error, progress: 0, eta_seconds: null, worker_token: null, queued_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('worker_token', '=', token)
      .execute();
  }

  /** A worker stopping cleanly returns its video to the queue; the interrupted attempt does not count. */
  async releaseForShutdown(trx: Transaction<Database>, id: string, token: string): Promise<boolean> {
    const result = await trx
      .updateTable('videos')
      .set({ status: 'queued', worker_token: null, progress: 0, eta_seconds: null, attempts: sql`greatest(attempts - 1, 0)`, updated_at: sql`now()` })
      .where('id', '=', id)
      .where('worker_token', '=', token)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  /** Videos being processed by a worker that is still alive (heartbeat within the lease), with their claim token. */
  liveClaims(ids: string[], leaseSeconds: number) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('videos')
      .select(['id', 'worker_token'])
      .where('id', 'in', ids)
      .where('status', '=', 'processing')
      .where('heartbeat_at', '>=', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)
      .execute();
  }

  /** Puts videos whose worker stopped sending heartbeats (crashed, or lost the database) back in the queue. */
  async requeueAbandoned(trx: Transaction<Database>, leaseSeconds: number): Promise<string[]> {
    // queued_at is kept: the video keeps its place in the queue (and its job goes back with RESUMED_PRIORITY).
    const rows = await trx
      .updateTable('videos')
      .set({ status: 'queued', worker_token: null, progress: 0, eta_seconds: null, updated_at: sql`now()` })
      .where('status', '=', 'processing')
      .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)
      // A planned chunked transcode is guarded by its tasks' own leases; its tasks may wait in the queue.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('transcode_plans')
              .select('video_id')
              .whereRef('transcode_plans.video_id', '=', 'videos.id')
              .where('transcode_plans.finished_at', 'is', null),
          ),
        ),
      )
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }
}
