import { sql, type Kysely } from 'kysely';

/**
 * The state of tus uploads in progress, shared by every API node: how many bytes arrived, the S3 multipart upload
 * and its parts (so no ListParts call is needed), the not-yet-full last part, the quota the upload has reserved,
 * and a lease lock so two nodes never write one upload at once. A row lives from creation until the video is
 * queued (same transaction) or the upload expires.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE uploads (
      video_id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      size bigint,
      received_bytes bigint NOT NULL DEFAULT 0,
      reserved_bytes bigint NOT NULL DEFAULT 0,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      s3_upload_id text,
      parts jsonb NOT NULL DEFAULT '[]',
      tail bytea,
      assembled_at timestamptz,
      lock_token text,
      lock_expires_at timestamptz
    );
    CREATE INDEX uploads_user ON uploads (user_id);
    CREATE INDEX uploads_created ON uploads (created_at);
  `.execute(db);
}
