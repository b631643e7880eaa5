import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import type { Db } from '../infra/db/database.ts';

export const ACCESS_TOKEN_ALGORITHM = 'ES256';

export interface ActiveSigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * Asymmetric keys for access tokens live in PostgreSQL so every API process signs and verifies with the
 * same set. The first process to start creates one (under an advisory lock); rotation = insert a new key and
 * set `retired_at` on the old one once its tokens have expired (retired keys are no longer published).
 */
export class SigningKeys {
  private active: ActiveSigningKey | null = null;
  private jwks: JSONWebKeySet = { keys: [] };
  private verifier: JWTVerifyGetKey = createLocalJWKSet({ keys: [] });

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('tube.signing_keys'))`.execute(trx);
      const existing = await trx.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).executeTakeFirst();
      if (!existing) {
        const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALGORITHM, { extractable: true });
        const kid = randomUUID();
        await trx
          .insertInto('signing_keys')
          .values({
            kid,
            algorithm: ACCESS_TOKEN_ALGORITHM,
            private_jwk: JSON.stringify(await exportJWK(privateKey)),
            public_jwk: JSON.stringify(await exportJWK(publicKey)),
          })
          .execute();
      }
    });
    await this.refresh();
  }

  /** Re-reads the key set (cheap; called at start and when a token names an unknown kid). */
  async refresh(): Promise<void> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
    const newest = rows[0];
    if (!newest) throw new Error('no active signing key');
    this.active = { kid: newest.kid, privateKey: (await importJWK(newest.private_jwk as JWK, newest.algorithm)) as CryptoKey };
    this.jwks = {
      keys: rows.map((row) => ({ ...(row.public_jwk as JWK), kid: row.kid, alg: row.algorithm, use: 'sig' })),
    };
    this.verifier = createLocalJWKSet(this.jwks);
  }

  get signingKey(): ActiveSigningKey {
    if (!this.active) throw new Error('signing keys not loaded');
    return this.active;
  }

  get publicKeySet(): JSONWebKeySet {
    return this.jwks;
  }

  get verificationKeys(): JWTVerifyGetKey {
    return this.verifier;
  }

  knows(kid: string | undefined): boolean {
    return kid !== undefined && this.jwks.keys.some((key) => key.kid === kid);
  }
}
