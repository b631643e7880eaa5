import { sql, type Kysely } from 'kysely';

/**
 * The chunked planner measures the fleet's speed from recently finished chunk tasks: `in_front` says whether a
 * task had a foreground CPU place from start to end (its wall time is then its own speed, not a wait behind
 * another task in the background slot); an index on just the rows it reads, newest first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE transcode_tasks ADD COLUMN in_front boolean;
    CREATE INDEX transcode_tasks_recent_in_front ON transcode_tasks (updated_at DESC) WHERE status = 'done' AND kind = 'video' AND in_front;
  `.execute(db);
}
