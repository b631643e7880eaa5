import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users ADD COLUMN history_paused boolean NOT NULL DEFAULT false;

    ALTER TABLE channels
      ADD COLUMN avatar_key text,
      ADD COLUMN banner_key text,
      ADD COLUMN subscriber_count bigint NOT NULL DEFAULT 0 CHECK (subscriber_count >= 0),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

    ALTER TABLE videos
      ADD COLUMN like_count bigint NOT NULL DEFAULT 0 CHECK (like_count >= 0),
      ADD COLUMN dislike_count bigint NOT NULL DEFAULT 0 CHECK (dislike_count >= 0),
      ADD COLUMN comment_count bigint NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
      ADD COLUMN comments_enabled boolean NOT NULL DEFAULT true,
      ADD COLUMN hidden_at timestamptz,
      ADD COLUMN hidden_reason text;

    CREATE TABLE subscriptions (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, channel_id)
    );
    CREATE INDEX subscriptions_by_channel ON subscriptions (channel_id);

    CREATE TABLE video_votes (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      value smallint NOT NULL CHECK (value IN (-1, 1)),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, video_id)
    );
    CREATE INDEX video_votes_liked ON video_votes (user_id, created_at DESC) WHERE value = 1;

    CREATE TABLE comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      parent_id uuid REFERENCES comments(id) ON DELETE CASCADE,
      body text NOT NULL,
      like_count bigint NOT NULL DEFAULT 0 CHECK (like_count >= 0),
      reply_count bigint NOT NULL DEFAULT 0 CHECK (reply_count >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz,
      hidden_at timestamptz
    );
    CREATE INDEX comments_top_level ON comments (video_id, created_at DESC, id DESC) WHERE parent_id IS NULL;
    CREATE INDEX comments_replies ON comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL;

    CREATE TABLE comment_likes (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      comment_id uuid NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, comment_id)
    );

    CREATE TABLE playlists (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      visibility text NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'unlisted', 'private')),
      kind text NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'watch_later')),
      video_count integer NOT NULL DEFAULT 0 CHECK (video_count >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX playlists_by_user ON playlists (user_id, updated_at DESC);
    CREATE UNIQUE INDEX playlists_one_watch_later ON playlists (user_id) WHERE kind = 'watch_later';

    CREATE TABLE playlist_items (
      playlist_id uuid NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      position integer NOT NULL,
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (playlist_id, video_id)
    );
    CREATE INDEX playlist_items_order ON playlist_items (playlist_id, position);
    CREATE INDEX playlist_items_by_video ON playlist_items (video_id);

    CREATE TABLE watch_history (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      video_id uuid NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      position_seconds real NOT NULL DEFAULT 0,
      watched_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, video_id)
    );
    CREATE INDEX watch_history_recent ON watch_history (user_id, watched_at DESC);
  `.execute(db);
}
