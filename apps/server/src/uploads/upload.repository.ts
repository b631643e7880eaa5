import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database, StoredUploadPart } from '../infra/db/schema.ts';

/** An upload in progress as every API node sees it. */
export interface UploadRecord {
  videoId: string;
  userId: string;
  size: number | null;
  receivedBytes: number;
  metadata: Record<string, string | null>;
  createdAt: Date;
  s3UploadId: string | null;
  parts: StoredUploadPart[];
  tail: Buffer | null;
  assembled: boolean;
}

type Executor = Db | Transaction<Database>;

export class UploadRepository {
  constructor(private readonly db: Db) {}

  async find(videoId: string, executor: Executor = this.db): Promise<UploadRecord | undefined> {
    const row = await executor.selectFrom('uploads').selectAll().where('video_id', '=', videoId).executeTakeFirst();
    if (!row) return undefined;
    return {
      videoId: row.video_id,
      userId: row.user_id,
      size: row.size,
      receivedBytes: row.received_bytes,
      metadata: row.metadata,
      createdAt: row.created_at,
      s3UploadId: row.s3_upload_id,
      parts: row.parts,
      tail: row.tail,
      assembled: row.assembled_at !== null,
    };
  }

  /** Starts (or restarts) the upload's state; keeps the lock and the reservation, which were taken before. */
  async reset(videoId: string, fields: { size: number | null; metadata: Record<string, string | null>; s3UploadId: string | null }): Promise<void> {
    await this.db
      .updateTable('uploads')
      .set({
        size: fields.size,
        metadata: JSON.stringify(fields.metadata),
        s3_upload_id: fields.s3UploadId,
        received_bytes: 0,
        parts: '[]',
        tail: null,
        assembled_at: null,
        created_at: sql`now()`,
      })
      .where('video_id', '=', videoId)
      .execute();
  }

  async saveProgress(videoId: string, progress: { receivedBytes: number; parts: StoredUploadPart[]; tail: Buffer | null }): Promise<void> {
    await this.db
      .updateTable('uploads')
      .set({ received_bytes: progress.receivedBytes, parts: JSON.stringify(progress.parts), tail: progress.tail })
      .where('video_id', '=', videoId)
      .execute();
  }

  async declareSize(videoId: string, size: number): Promise<void> {
    await this.db.updateTable('uploads').set({ size }).where('video_id', '=', videoId).execute();
  }

  async markAssembled(videoId: string): Promise<void> {
    await this.db.updateTable('uploads').set({ assembled_at: sql`now()`, tail: null }).where('video_id', '=', videoId).execute();
  }

  async delete(videoId: string, executor: Executor = this.db): Promise<void> {
    await executor.deleteFrom('uploads').where('video_id', '=', videoId).execute();
  }

  /**
   * Sets the upload's quota reservation to `wantedBytes` if the user's other uploads and stored sources leave room,
   * else to all the room there is; returns the reservation now held. A row lock on the user serialises this
   * per user, so concurrent uploads can never reserve the same headroom twice.
   */
  async reserve(
    userId: string,
    videoId: string,
    wantedBytes: number,
    quotaBytes: number,
    mode: 'create' | 'update',
  ): Promise<{ reservedBytes: number; usedByOthers: number }> {
    return this.db.transaction().execute(async (trx) => {
      await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
      const usedByOthers = await this.bytesUsedOutside(trx, userId, videoId);
      const reservedBytes = quotaBytes > 0 ? Math.max(0, Math.min(wantedBytes, quotaBytes - usedByOthers)) : wantedBytes;
      if (mode === 'create') {
        await trx
          .insertInto('uploads')
          .values({ video_id: videoId, user_id: userId, reserved_bytes: reservedBytes })
          .onConflict((oc) => oc.column('video_id').doUpdateSet({ reserved_bytes: reservedBytes, user_id: userId }))
          .execute();
      } else {
        // Only an upload still in progress: a row gone meanwhile (completed, expired) must not come back.
        await trx.updateTable('uploads').set({ reserved_bytes: reservedBytes }).where('video_id', '=', videoId).execute();
      }
      return { reservedBytes, usedByOthers };
    });
  }

  /** An upload of deferred length holds no more than what it received (one statement: nothing to race). */
  async releaseUnusedReservation(videoId: string): Promise<void> {
    await this.db.updateTable('uploads').set({ reserved_bytes: sql`received_bytes` }).where('video_id', '=', videoId).where('size', 'is', null).execute();
  }

  /** Stored sources of the user's other videos plus the reservations of their other uploads. Locks the user row first. */
  async bytesUsedOutside(trx: Transaction<Database>, userId: string, videoId: string): Promise<number> {
    const { rows } = await sql<{ bytes: number }>`
      SELECT (SELECT coalesce(sum(source_bytes), 0) FROM videos WHERE user_id = ${userId} AND id <> ${videoId})
           + (SELECT coalesce(sum(reserved_bytes), 0) FROM uploads WHERE user_id = ${userId} AND video_id <> ${videoId}) AS bytes`.execute(trx);
    return Number(rows[0]?.bytes ?? 0);
  }

  async lockUser(trx: Transaction<Database>, userId: string): Promise<void> {
    await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
  }

  /** Takes the lease if the upload is unlocked or its holder's lease lapsed. 'missing' when there is no such upload. */
  async tryLock(videoId: string, token: string, leaseSeconds: number): Promise<'locked' | 'busy' | 'missing'> {
    const taken = await this.db
      .updateTable('uploads')
      .set({ lock_token: token, lock_expires_at: sql`now() + make_interval(secs => ${leaseSeconds})` })
      .where('video_id', '=', videoId)
      .where((eb) => eb.or([eb('lock_token', 'is', null), eb('lock_expires_at', '<', sql<Date>`now()`)]))
      .executeTakeFirst();
    if (taken.numUpdatedRows === 1n) return 'locked';
    const exists = await this.db.selectFrom('uploads').select('video_id').where('video_id', '=', videoId).executeTakeFirst();
    return exists ? 'busy' : 'missing';
  }

  async renewLock(videoId: string, token: string, leaseSeconds: number): Promise<void> {
    await this.db
      .updateTable('uploads')
      .set({ lock_expires_at: sql`now() + make_interval(secs => ${leaseSeconds})` })
      .where('video_id', '=', videoId)
      .where('lock_token', '=', token)
      .execute();
  }

  async unlock(videoId: string, token: string): Promise<void> {
    await this.db
      .updateTable('uploads')
      .set({ lock_token: null, lock_expires_at: null })
      .where('video_id', '=', videoId)
      .where('lock_token', '=', token)
      .execute();
  }

  /** Uploads whose bytes all arrived but whose video was never queued (an interrupted completion). */
  async listStrandedCompletions(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .innerJoin('videos', 'videos.id', 'uploads.video_id')
      .select('uploads.video_id')
      .where('uploads.size', 'is not', null)
      .whereRef('uploads.received_bytes', '=', 'uploads.size')
      .where('videos.status', 'in', ['awaiting_upload', 'failed'])
      .limit(limit)
      .execute();
    return rows.map((row) => row.video_id);
  }

  /** Unfinished uploads older than the expiry, and uploads whose video was deleted. */
  async listAbandoned(expirySeconds: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('uploads')
      .leftJoin('videos', 'videos.id', 'uploads.video_id')
      .select('uploads.video_id')
      .where((eb) =>
        eb.or([
          eb('videos.id', 'is', null),
          eb.and([
            eb('uploads.created_at', '<', sql<Date>`now() - make_interval(secs => ${expirySeconds})`),
            eb.or([eb('uploads.size', 'is', null), eb('uploads.received_bytes', '<', eb.ref('uploads.size'))]),
          ]),
        ]),
      )
      .limit(limit)
      .execute();
    return rows.map((row) => row.video_id);
  }
}
