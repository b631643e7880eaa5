import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database } from '../infra/db/schema.ts';

export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  password_hash: string | null;
  role: 'user' | 'admin';
  created_at: Date;
}

export interface UserWithChannel extends UserRow {
  channel_id: string | null;
  channel_handle: string | null;
  channel_name: string | null;
}

export class AuthRepository {
  constructor(private readonly db: Db) {}

  findUserWithChannel(userId: string): Promise<UserWithChannel | undefined> {
    return this.db
      .selectFrom('users')
      .leftJoin('channels', (join) => join.onRef('channels.user_id', '=', 'users.id').on('channels.is_default', '=', true))
      .selectAll('users')
      .select(['channels.id as channel_id', 'channels.handle as channel_handle', 'channels.name as channel_name'])
      .where('users.id', '=', userId)
      .executeTakeFirst();
  }

  findUserSecurity(userId: string) {
    return this.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'email_verified_at', 'totp_enabled_at', 'deletion_scheduled_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  findUserByLogin(login: string): Promise<UserRow | undefined> {
    const column = login.includes('@') ? 'email' : 'username';
    return this.db
      .selectFrom('users')
      .selectAll()
      .where(sql<string>`lower(${sql.ref(column)})`, '=', login.toLowerCase())
      .executeTakeFirst();
  }

  async handleTaken(trx: Transaction<Database> | Db, handle: string): Promise<boolean> {
    const row = await trx.selectFrom('channels').select('id').where(sql<string>`lower(handle)`, '=', handle.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  /** Creates the user and their default channel; unique violations surface as pg error 23505. */
  async createUser(
    trx: Transaction<Database>,
    input: { username: string; email: string | null; passwordHash: string | null; channelHandle: string; role?: 'user' | 'admin' },
  ): Promise<UserRow> {
    const user = await trx
      .insertInto('users')
      .values({ username: input.username, email: input.email, password_hash: input.passwordHash, role: input.role ?? 'user' })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('channels').values({ user_id: user.id, handle: input.channelHandle, name: input.username, is_default: true }).execute();
    return user;
  }

  createSession(input: { userId: string; userAgent: string | null; ip: string | null; expiresAt: Date }) {
    return this.db
      .insertInto('sessions')
      .values({ user_id: input.userId, user_agent: input.userAgent, ip: input.ip, expires_at: input.expiresAt })
      .returning(['id'])
      .executeTakeFirstOrThrow();
  }

  insertRefreshToken(sessionId: string, tokenHash: string, expiresAt: Date) {
    return this.db.insertInto('refresh_tokens').values({ session_id: sessionId, token_hash: tokenHash, expires_at: expiresAt }).execute();
  }

  findRefreshToken(tokenHash: string) {
    return this.db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['refresh_tokens.session_id', 'refresh_tokens.used_at', 'refresh_tokens.expires_at', 'sessions.revoked_at', 'sessions.user_id', 'users.role'])
      .where('refresh_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Marks the token used; false when another request used it first (so this one is a reuse). */
  async consumeRefreshToken(tokenHash: string): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ used_at: sql`now()` })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  touchSession(sessionId: string, expiresAt: Date) {
    return this.db.updateTable('sessions').set({ last_used_at: sql`now()`, expires_at: expiresAt }).where('id', '=', sessionId).execute();
  }

  /** Revokes sessions; returns the ids that were active. */
  async revokeSessions(filter: { userId: string; sessionId?: string; exceptSessionId?: string }, reason: string): Promise<string[]> {
    let query = this.db
      .updateTable('sessions')
      .set({ revoked_at: sql`now()`, revoked_reason: reason })
      .where('user_id', '=', filter.userId)
      .where('revoked_at', 'is', null);
    if (filter.sessionId) query = query.where('id', '=', filter.sessionId);
    if (filter.exceptSessionId) query = query.where('id', '!=', filter.exceptSessionId);
    const rows = await query.returning('id').execute();
    return rows.map((row) => row.id);
  }

  /** The source of truth for revocations, consulted when the cache that normally answers may have missed one. */
  async sessionCreatedAt(sessionId: string): Promise<Date | null> {
    const row = await this.db.selectFrom('sessions').select('created_at').where('id', '=', sessionId).executeTakeFirst();
    return row?.created_at ?? null;
  }

  async sessionRevoked(sessionId: string): Promise<boolean> {
    const row = await this.db.selectFrom('sessions').select('revoked_at').where('id', '=', sessionId).executeTakeFirst();
    return !row || row.revoked_at !== null;
  }

  listActiveSessions(userId: string) {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .orderBy('last_used_at', 'desc')
      .execute();
  }

  findExternalIdentity(issuer: string, subject: string) {
    return this.db
      .selectFrom('external_identities')
      .innerJoin('users', 'users.id', 'external_identities.user_id')
      .select(['users.id', 'users.role'])
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
  }

  async linkExternalIdentity(trx: Transaction<Database>, issuer: string, subject: string, userId: string): Promise<void> {
    await trx.insertInto('external_identities').values({ issuer, subject, user_id: userId }).execute();
  }

  usernameTaken(trx: Transaction<Database>, username: string) {
    return trx
      .selectFrom('users')
      .select('id')
      .where(sql<string>`lower(username)`, '=', username.toLowerCase())
      .executeTakeFirst()
      .then((row) => row !== undefined);
  }

  /** Deletes sessions that expired or were revoked more than `graceDays` ago (with their refresh tokens). */
  async purgeStaleSessions(graceDays: number): Promise<number> {
    const result = await this.db
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<', sql<Date>`now() - make_interval(days => ${graceDays})`),
          eb('revoked_at', '<', sql<Date>`now() - make_interval(days => ${graceDays})`),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Makes exactly these (lower-cased) usernames the administrators: listed accounts that exist are promoted,
   * every other administrator is demoted. Returns the listed names that have no account (nothing is reserved).
   */
  async applyAdminList(usernames: string[]): Promise<{ missing: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .updateTable('users')
        .set({ role: 'admin' })
        .where(sql<string>`lower(username)`, 'in', usernames)
        .returning(sql<string>`lower(username)`.as('name'))
        .execute();
      await trx.updateTable('users').set({ role: 'user' }).where('role', '=', 'admin').where(sql<string>`lower(username)`, 'not in', usernames).execute();
      const present = new Set(found.map((row) => row.name));
      return { missing: usernames.filter((name) => !present.has(name)) };
    });
  }

  /** Grants or revokes administrator rights by username (case-insensitive); false when there is no such account. */
  async setRole(username: string, role: 'user' | 'admin'): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ role }).where(sql<string>`lower(username)`, '=', username.toLowerCase()).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async listAdmins(): Promise<string[]> {
    const rows = await this.db.selectFrom('users').select('username').where('role', '=', 'admin').orderBy('username').execute();
    return rows.map((row) => row.username);
  }

  async roleOf(userId: string): Promise<'user' | 'admin' | null> {
    const row = await this.db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst();
    return row?.role ?? null;
  }
}
