import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../infra/db/database.ts';

/**
 * A secret every process of the fleet must share, created once by whichever process starts first (under an
 * advisory lock, like the JWT signing keys) and read by every other one, so no two nodes ever disagree.
 */
export async function sharedSecret(db: Db, name: string): Promise<string> {
  const existing = await db.selectFrom('fleet_secrets').select('value').where('name', '=', name).executeTakeFirst();
  if (existing) return existing.value;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('tube.fleet_secrets'))`.execute(trx);
    await trx
      .insertInto('fleet_secrets')
      .values({ name, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    return (await trx.selectFrom('fleet_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
  });
}

/** The media signing secret: `MEDIA_SIGNING_SECRET` when set, else the fleet's own, generated once and kept in PostgreSQL. */
export async function mediaSigningSecret(db: Db, configured: string | undefined): Promise<string> {
  return configured ?? (await sharedSecret(db, 'media_signing_secret'));
}
