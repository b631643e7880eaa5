import { sql, type Kysely } from 'kysely';

/** Email verification, password reset, two-factor authentication, notification preferences, account deletion. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users
      ADD COLUMN email_verified_at timestamptz,
      ADD COLUMN totp_secret text,
      ADD COLUMN totp_pending_secret text,
      ADD COLUMN totp_enabled_at timestamptz,
      ADD COLUMN totp_last_step bigint,
      ADD COLUMN email_on_new_videos boolean NOT NULL DEFAULT true,
      ADD COLUMN email_on_comments boolean NOT NULL DEFAULT true,
      ADD COLUMN deletion_scheduled_at timestamptz;

    -- Single-use secrets sent by email; only their SHA-256 is stored.
    CREATE TABLE account_tokens (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
      email text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    );
    CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

    CREATE TABLE recovery_codes (
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_hash)
    );

    -- Set once the notification has also gone out by email, so a retried job sends nothing twice.
    ALTER TABLE notifications ADD COLUMN emailed_at timestamptz;
  `.execute(db);
}
