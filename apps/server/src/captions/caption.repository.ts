import type { Db } from '../infra/db/database.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../infra/db/schema.ts';

type Executor = Db | Transaction<Database>;

export class CaptionRepository {
  constructor(private readonly db: Db) {}

  list(videoId: string, executor: Executor = this.db) {
    return executor.selectFrom('video_captions').selectAll().where('video_id', '=', videoId).orderBy('label').orderBy('language').execute();
  }

  async upsert(trx: Executor, row: { videoId: string; language: string; label: string; vtt: string; cueCount: number }): Promise<void> {
    await trx
      .insertInto('video_captions')
      .values({ video_id: row.videoId, language: row.language, label: row.label, vtt: row.vtt, cue_count: row.cueCount })
      .onConflict((conflict) =>
        conflict.columns(['video_id', 'language']).doUpdateSet({ label: row.label, vtt: row.vtt, cue_count: row.cueCount, updated_at: new Date() }),
      )
      .execute();
  }

  async delete(trx: Executor, videoId: string, language: string): Promise<boolean> {
    const result = await trx.deleteFrom('video_captions').where('video_id', '=', videoId).where('language', '=', language).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Serialises caption changes of one video (each rewrites the same manifests). */
  async lockVideo(trx: Transaction<Database>, videoId: string): Promise<void> {
    await trx.selectFrom('videos').select('id').where('id', '=', videoId).forUpdate().executeTakeFirst();
  }
}
