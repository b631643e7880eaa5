import { sql, type Kysely } from 'kysely';

/**
 * The chunked planner reads the fleet's most recently finished chunk tasks (their wall time against the modelled
 * work gives the speed the next plan is made for): an index on just those rows, newest first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX transcode_tasks_recent_done ON transcode_tasks (updated_at DESC) WHERE status = 'done' AND kind = 'video'`.execute(db);
}
