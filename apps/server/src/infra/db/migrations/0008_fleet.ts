import { sql, type Kysely } from 'kysely';

/**
 * Fleet coherence: secrets every process must share (generated once, like the JWT keys) and a registry of running
 * processes with the fleet-wide settings each one started with, so a node started with different ones is refused.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE fleet_secrets (
      name text PRIMARY KEY,
      value text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE fleet_nodes (
      id uuid PRIMARY KEY,
      role text NOT NULL,
      hostname text NOT NULL,
      pid integer NOT NULL,
      settings jsonb NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX fleet_nodes_heartbeat ON fleet_nodes (heartbeat_at);
  `.execute(db);
}
