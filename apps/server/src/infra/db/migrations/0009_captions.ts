import { sql, type Kysely } from 'kysely';

/**
 * Caption tracks, one per video and language. The clean WebVTT lives here (it is small and the source of
 * truth); the published copy under the video's media prefix is derived from it and can be rewritten.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE video_captions (
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      language text NOT NULL,
      label text NOT NULL,
      vtt text NOT NULL,
      cue_count integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (video_id, language)
    );
  `.execute(db);
}
