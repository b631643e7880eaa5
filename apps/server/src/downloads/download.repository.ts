import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';

export type DownloadRow = NonNullable<Awaited<ReturnType<DownloadRepository['find']>>>;

/** The `video_downloads` rows (0013): one per video, describing the MP4 made for its current media prefix. */
export class DownloadRepository {
  constructor(private readonly db: Db) {}

  find(videoId: string) {
    return this.db.selectFrom('video_downloads').selectAll().where('video_id', '=', videoId).executeTakeFirst();
  }

  /**
   * Marks the download of `mediaPrefix` as wanted. True when this call (and no concurrent one) moved it to
   * `pending`, so exactly one request enqueues the job: a new video or a new prefix, a failure older than
   * `retryAfterSeconds`, or a pending job silent for `staleAfterSeconds` (its worker died and pg-boss gave up).
   */
  async claimPending(videoId: string, mediaPrefix: string, retryAfterSeconds: number, staleAfterSeconds: number): Promise<boolean> {
    const result = await this.db
      .insertInto('video_downloads')
      .values({ video_id: videoId, media_prefix: mediaPrefix, status: 'pending' })
      .onConflict((conflict) =>
        conflict
          .column('video_id')
          .doUpdateSet({
            media_prefix: mediaPrefix,
            status: 'pending',
            progress: 0,
            file_key: null,
            bytes: null,
            error: null,
            requested_at: sql`now()`,
            updated_at: sql`now()`,
          })
          .where((eb) =>
            eb.or([
              eb('video_downloads.media_prefix', '<>', mediaPrefix),
              eb.and([
                eb('video_downloads.status', '=', 'failed'),
                eb('video_downloads.updated_at', '<', sql<Date>`now() - make_interval(secs => ${retryAfterSeconds})`),
              ]),
              eb.and([
                eb('video_downloads.status', '=', 'pending'),
                eb('video_downloads.updated_at', '<', sql<Date>`now() - make_interval(secs => ${staleAfterSeconds})`),
              ]),
            ]),
          ),
      )
      .returning('video_id')
      .executeTakeFirst();
    return result !== undefined;
  }

  /** Progress of a pending download (also its heartbeat); false when the row no longer describes this job. */
  async setProgress(videoId: string, mediaPrefix: string, progress: number): Promise<boolean> {
    const result = await this.db
      .updateTable('video_downloads')
      .set({ progress, updated_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('media_prefix', '=', mediaPrefix)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markReady(videoId: string, mediaPrefix: string, fileKey: string, bytes: number): Promise<boolean> {
    const result = await this.db
      .updateTable('video_downloads')
      .set({ status: 'ready', progress: 1, file_key: fileKey, bytes, error: null, updated_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('media_prefix', '=', mediaPrefix)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markFailed(videoId: string, mediaPrefix: string, error: string): Promise<void> {
    await this.db
      .updateTable('video_downloads')
      .set({ status: 'failed', error, updated_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('media_prefix', '=', mediaPrefix)
      .execute();
  }

  /** Of `videoIds`, those whose download is pending and was reported on within `seconds`. */
  async recentlyPending(videoIds: string[], seconds: number): Promise<Set<string>> {
    if (videoIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('video_downloads')
      .select('video_id')
      .where('video_id', 'in', videoIds)
      .where('status', '=', 'pending')
      .where('updated_at', '>=', sql<Date>`now() - make_interval(secs => ${seconds})`)
      .execute();
    return new Set(rows.map((row) => row.video_id));
  }

  /** What the download route needs of the video itself (no cache: downloads are rare and rate-limited). */
  video(videoId: string) {
    return this.db
      .selectFrom('videos')
      .select(['id', 'user_id', 'title', 'status', 'visibility', 'media_prefix', 'media_link_generation', 'hidden_at', 'allow_downloads'])
      .where('id', '=', videoId)
      .executeTakeFirst();
  }
}
