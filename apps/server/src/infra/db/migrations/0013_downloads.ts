import { sql, type Kysely } from 'kysely';

/**
 * Downloads: a per-video "allow downloads" setting (off by default; the owner and admins can always download) and
 * the progressive MP4 made on demand from the best rung and the audio (a remux, no re-encode). One row per video:
 * the file belongs to one media prefix (a re-transcode makes a new prefix, so an older file is simply stale), and
 * the row goes with the video (the file with the video's storage prefix).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE videos ADD COLUMN allow_downloads boolean NOT NULL DEFAULT false;

    CREATE TABLE video_downloads (
      video_id uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
      media_prefix text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
      progress double precision NOT NULL DEFAULT 0,
      file_key text,
      bytes bigint,
      error text,
      requested_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}
