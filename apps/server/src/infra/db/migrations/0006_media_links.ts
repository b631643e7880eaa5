import { sql, type Kysely } from 'kysely';

/**
 * Signed media links carry the video's link generation in their signature. Narrowing a video's visibility bumps
 * it, so every link handed out before stops working at once instead of living out its expiry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE videos ADD COLUMN media_link_generation integer NOT NULL DEFAULT 0`.execute(db);
}
