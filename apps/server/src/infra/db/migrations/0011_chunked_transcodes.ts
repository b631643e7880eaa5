import { sql, type Kysely } from 'kysely';

/**
 * The chunked transcoding pipeline (TRANSCODE_MODE=chunked): one plan per attempt at a video, and one row per
 * piece of work (a video chunk of one rung tier, the audio, the thumbnails) with its own lease. `playable`
 * is the state between the first published chunk and the finished ladder.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE videos DROP CONSTRAINT videos_status_check;
    ALTER TABLE videos ADD CONSTRAINT videos_status_check
      CHECK (status IN ('awaiting_upload', 'queued', 'processing', 'playable', 'ready', 'failed'));

    ALTER TABLE videos ADD COLUMN rung_progress jsonb NOT NULL DEFAULT '[]';

    CREATE TABLE transcode_plans (
      video_id uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
      media_prefix text NOT NULL,
      plan jsonb NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      playable_at timestamptz,
      finished_at timestamptz
    );

    CREATE TABLE transcode_tasks (
      video_id uuid NOT NULL REFERENCES transcode_plans(video_id) ON DELETE CASCADE,
      task text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('video', 'audio', 'thumbnails')),
      chunk_index integer NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done')),
      priority integer NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      worker_token uuid,
      worker_name text,
      heartbeat_at timestamptz,
      wall_seconds real,
      result jsonb,
      error text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (video_id, task)
    );
    CREATE INDEX transcode_tasks_running ON transcode_tasks (heartbeat_at) WHERE status = 'running';
  `.execute(db);
}
