import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { Database } from '../../infra/db/schema.ts';
import type { UploadState } from './growing-upload.ts';

type Executor = Db | Transaction<Database>;

export interface EarlyStartRow {
  videoId: string;
  totalBytes: number;
  /** Bytes of the upload chunk i needs before it may run. */
  chunkBytes: number[];
  /** Chunks 0…n-1 have their tasks enqueued. */
  enqueuedChunks: number;
}

/** SQL of early starts: the plan made from a partial upload, and what the studio is told. */
export class EarlyStartRepository {
  constructor(private readonly db: Db) {}

  async find(videoId: string, db: Executor = this.db): Promise<EarlyStartRow | null> {
    const row = await db.selectFrom('early_starts').selectAll().where('video_id', '=', videoId).executeTakeFirst();
    return row ? { videoId: row.video_id, totalBytes: row.total_bytes, chunkBytes: row.chunk_bytes, enqueuedChunks: row.enqueued_chunks } : null;
  }

  async lock(trx: Transaction<Database>, videoId: string): Promise<EarlyStartRow | null> {
    const row = await trx.selectFrom('early_starts').selectAll().where('video_id', '=', videoId).forUpdate().executeTakeFirst();
    return row ? { videoId: row.video_id, totalBytes: row.total_bytes, chunkBytes: row.chunk_bytes, enqueuedChunks: row.enqueued_chunks } : null;
  }

  /** The video, locked, if it still waits for its upload and has no plan of any kind yet. */
  async lockPlannableVideo(trx: Transaction<Database>, videoId: string): Promise<boolean> {
    const video = await trx.selectFrom('videos').select(['status']).where('id', '=', videoId).forUpdate().executeTakeFirst();
    if (video?.status !== 'awaiting_upload') return false;
    // A statement of its own, after the lock: it sees a plan that a look after an earlier PATCH committed meanwhile
    // (a subquery of the locking statement would still see its snapshot from before the wait).
    const plan = await trx.selectFrom('transcode_plans').select('video_id').where('video_id', '=', videoId).executeTakeFirst();
    return plan === undefined;
  }

  async insert(trx: Transaction<Database>, videoId: string, totalBytes: number, chunkBytes: number[]): Promise<void> {
    await trx
      .insertInto('early_starts')
      .values({ video_id: videoId, total_bytes: totalBytes, chunk_bytes: JSON.stringify(chunkBytes) })
      .execute();
  }

  /** Matroska: the bytes the chunks need, lowered as their clusters arrive. */
  async setChunkBytes(trx: Transaction<Database>, videoId: string, chunkBytes: number[]): Promise<void> {
    await trx
      .updateTable('early_starts')
      .set({ chunk_bytes: JSON.stringify(chunkBytes) })
      .where('video_id', '=', videoId)
      .execute();
  }

  async setEnqueued(trx: Transaction<Database>, videoId: string, enqueuedChunks: number): Promise<void> {
    await trx.updateTable('early_starts').set({ enqueued_chunks: enqueuedChunks }).where('video_id', '=', videoId).execute();
  }

  async delete(trx: Executor, videoId: string): Promise<void> {
    await trx.deleteFrom('early_starts').where('video_id', '=', videoId).execute();
  }

  /** The pending video tasks of one chunk, with their priorities. */
  chunkTasks(trx: Executor, videoId: string, chunkIndex: number) {
    return trx
      .selectFrom('transcode_tasks')
      .select(['task', 'priority'])
      .where('video_id', '=', videoId)
      .where('kind', '=', 'video')
      .where('chunk_index', '=', chunkIndex)
      .where('status', '=', 'pending')
      .execute();
  }

  /** What the studio shows; only while the video waits for its file (or was never decided). */
  async setProcessingStart(
    db: Executor,
    videoId: string,
    start: 'during_upload' | 'at_completion' | null,
    note: string | null,
    options: { onlyUndecided?: boolean } = {},
  ): Promise<void> {
    let query = db.updateTable('videos').set({ processing_start: start, processing_start_note: note, updated_at: sql`now()` }).where('id', '=', videoId);
    if (options.onlyUndecided) query = query.where('processing_start', 'is', null);
    await query.execute();
  }

  /** The upload in progress: its length, the bytes received and (S3) the parts they make up. */
  async uploadState(videoId: string, db: Executor = this.db): Promise<UploadState | null> {
    const row = await db.selectFrom('uploads').select(['size', 'received_bytes', 'parts']).where('video_id', '=', videoId).executeTakeFirst();
    return row ? { size: row.size, receivedBytes: row.received_bytes, parts: row.parts } : null;
  }
}
