import { sql, type Kysely } from 'kysely';

/**
 * Creator tools: scheduled publishing and drafts, custom thumbnails, the metadata people search by, comments held
 * for approval, and per-day (per-hour for the last 48 h) playback analytics.
 *
 * A scheduled or draft video is stored as `private` with the visibility it will get in `publish_visibility`, so
 * every existing rule that hides private videos (listings, search, feeds, direct links, media) keeps it hidden
 * without knowing about scheduling.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE videos
      ADD COLUMN draft boolean NOT NULL DEFAULT false,
      ADD COLUMN publish_at timestamptz,
      ADD COLUMN publish_visibility text CHECK (publish_visibility IN ('public', 'unlisted')),
      ADD COLUMN thumbnail_file text,
      ADD COLUMN category text,
      ADD COLUMN language text,
      ADD COLUMN licence text,
      ADD COLUMN comments_held boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT videos_scheduled_is_private CHECK (publish_at IS NULL OR (visibility = 'private' AND publish_visibility IS NOT NULL));
    CREATE INDEX videos_publish_due ON videos (publish_at) WHERE publish_at IS NOT NULL;
    CREATE INDEX videos_category ON videos (category) WHERE category IS NOT NULL;
    CREATE INDEX videos_language ON videos (language) WHERE language IS NOT NULL;

    -- Comments on a video whose policy is "held" wait here until the owner approves them.
    ALTER TABLE comments ADD COLUMN held boolean NOT NULL DEFAULT false;
    CREATE INDEX comments_held_queue ON comments (video_id, created_at) WHERE held;

    -- One random salt per UTC day; deleting old salts makes yesterday's viewer hashes unlinkable to today's.
    CREATE TABLE analytics_salts (day date PRIMARY KEY, salt bytea NOT NULL);

    -- A viewer counts once per video per day.
    CREATE TABLE analytics_viewers (
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      day date NOT NULL,
      viewer_hash bytea NOT NULL,
      PRIMARY KEY (video_id, day, viewer_hash)
    );

    CREATE TABLE video_stats_daily (
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      day date NOT NULL,
      views integer NOT NULL DEFAULT 0,
      watch_seconds double precision NOT NULL DEFAULT 0,
      rebuffer_seconds double precision NOT NULL DEFAULT 0,
      rebuffer_count integer NOT NULL DEFAULT 0,
      errors integer NOT NULL DEFAULT 0,
      PRIMARY KEY (video_id, day)
    );
    CREATE INDEX video_stats_daily_day ON video_stats_daily (day);

    CREATE TABLE video_stats_hourly (
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      hour timestamptz NOT NULL,
      views integer NOT NULL DEFAULT 0,
      watch_seconds double precision NOT NULL DEFAULT 0,
      PRIMARY KEY (video_id, hour)
    );

    -- Counts by one dimension: traffic source, device, rendition (seconds watched in it), time-to-first-frame bucket.
    CREATE TABLE video_stats_breakdown (
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      day date NOT NULL,
      dimension text NOT NULL CHECK (dimension IN ('source', 'device', 'rendition', 'ttff')),
      value text NOT NULL,
      count integer NOT NULL DEFAULT 0,
      seconds double precision NOT NULL DEFAULT 0,
      PRIMARY KEY (video_id, day, dimension, value)
    );

    -- Viewers who watched each second-bucket of the video (bucket width grows for long videos).
    CREATE TABLE video_retention_daily (
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      day date NOT NULL,
      bucket integer NOT NULL,
      viewers integer NOT NULL DEFAULT 0,
      PRIMARY KEY (video_id, day, bucket)
    );
  `.execute(db);
}
