import { sql, type Kysely } from 'kysely';

/**
 * Processing that starts before the upload ends (chunked pipeline, fast-start MP4): `videos.processing_start`
 * says whether it did ('during_upload') or waits for the whole file ('at_completion', with a sentence why);
 * `early_starts` holds, for a plan made from a partial upload, the bytes each chunk needs before it may run.
 * The row goes once the completed upload confirms the plan; an abandoned upload takes plan and outputs with it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE videos ADD COLUMN processing_start text CHECK (processing_start IN ('during_upload', 'at_completion'));
    ALTER TABLE videos ADD COLUMN processing_start_note text;

    CREATE TABLE early_starts (
      video_id uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
      total_bytes bigint NOT NULL,
      chunk_bytes jsonb NOT NULL,
      enqueued_chunks integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}
