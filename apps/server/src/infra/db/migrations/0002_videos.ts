import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE videos (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'unlisted', 'private')),
      tags text[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'awaiting_upload'
        CHECK (status IN ('awaiting_upload', 'queued', 'processing', 'ready', 'failed')),
      error text,
      progress real,
      eta_seconds real,
      source_key text,
      source_bytes bigint,
      source_filename text,
      media_prefix text,
      duration_seconds real,
      width integer,
      height integer,
      renditions jsonb NOT NULL DEFAULT '[]',
      has_storyboard boolean NOT NULL DEFAULT false,
      view_count bigint NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      worker_token uuid,
      heartbeat_at timestamptz,
      queued_at timestamptz,
      processing_started_at timestamptz,
      published_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX videos_public_feed ON videos (published_at DESC, id DESC) WHERE status = 'ready' AND visibility = 'public';
    CREATE INDEX videos_by_user ON videos (user_id, created_at DESC, id DESC);
    CREATE INDEX videos_by_channel ON videos (channel_id, published_at DESC);
    CREATE INDEX videos_queued ON videos (queued_at) WHERE status = 'queued';
    CREATE INDEX videos_processing ON videos (heartbeat_at) WHERE status = 'processing';
  `.execute(db);
}
