import { hash, verify, type Options as Argon2Options } from '@node-rs/argon2';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import type { AuthResult, Session, TokenPair, User } from '@tube/shared';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';
import type { Db } from '../infra/db/database.ts';
import { AppError, conflict, unauthorized } from '../infra/http/errors.ts';
import { AuthRepository, type UserWithChannel } from './auth.repository.ts';
import { LoginRateLimit } from './login-rate-limit.ts';
import { OidcVerifier, usernameFromClaims } from './oidc.ts';
import { SigningKeys } from './signing-keys.ts';
import { hashRefreshToken, InvalidTokenError, issueAccessToken, newRefreshToken, verifyAccessToken } from './tokens.ts';

/** Who is making a request, once their bearer token has been verified. */
export interface AuthUser {
  id: string;
  role: 'user' | 'admin';
  /** Our own session, or null for tokens from the external OIDC issuer. */
  sessionId: string | null;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

// algorithm 2 = Argon2id (a const enum in the typings, which isolated modules cannot import).
const ARGON2_OPTIONS: Argon2Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function toUserDto(row: UserWithChannel): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    createdAt: row.created_at.toISOString(),
    channel: row.channel_id ? { id: row.channel_id, handle: row.channel_handle!, name: row.channel_name! } : null,
  };
}

function isUniqueViolation(error: unknown): error is { code: string; constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export class AuthService {
  readonly keys: SigningKeys;
  private readonly repo: AuthRepository;
  private readonly rateLimit: LoginRateLimit;
  private readonly oidc: OidcVerifier | null;
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly config: Config,
  ) {
    this.keys = new SigningKeys(db);
    this.repo = new AuthRepository(db);
    this.rateLimit = new LoginRateLimit(cache, {
      perIp: config.LOGIN_RATE_LIMIT_IP,
      perAccount: config.LOGIN_RATE_LIMIT_ACCOUNT,
      windowSeconds: config.LOGIN_RATE_LIMIT_WINDOW,
    });
    this.oidc = config.AUTH_OIDC_ISSUER ? new OidcVerifier(config.AUTH_OIDC_ISSUER, config.AUTH_OIDC_AUDIENCE) : null;
  }

  async init(): Promise<void> {
    await this.keys.load();
    await this.repo.promoteAdmins(this.config.adminUsernames);
  }

  async register(input: { username: string; email: string; password: string }, client: ClientInfo): Promise<AuthResult> {
    const passwordHash = await hash(input.password, ARGON2_OPTIONS);
    let userId: string;
    try {
      userId = await this.db.transaction().execute(async (trx) => {
        if (await this.repo.handleTaken(trx, input.username)) throw conflict('That username is taken', 'username_taken');
        const user = await this.repo.createUser(trx, {
          username: input.username,
          email: input.email,
          passwordHash,
          channelHandle: input.username,
          role: this.config.adminUsernames.includes(input.username.toLowerCase()) ? 'admin' : 'user',
        });
        return user.id;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        if (error.constraint === 'users_email_lower') throw conflict('An account with that email already exists', 'email_taken');
        throw conflict('That username is taken', 'username_taken');
      }
      throw error;
    }
    return this.startSession(userId, client);
  }

  async login(input: { login: string; password: string }, client: ClientInfo): Promise<AuthResult> {
    await this.rateLimit.beforeAttempt(client.ip ?? 'unknown', input.login);
    const user = await this.repo.findUserByLogin(input.login);
    // Verify against a throwaway hash for unknown logins so timing does not reveal which accounts exist.
    const storedHash = user?.password_hash ?? (await (this.dummyHash ??= hash('not-a-real-password', ARGON2_OPTIONS)));
    const valid = await verify(storedHash, input.password).catch(() => false);
    if (!user || !user.password_hash || !valid) {
      await this.rateLimit.failed(input.login);
      throw unauthorized('Wrong username/email or password', 'invalid_credentials');
    }
    return this.startSession(user.id, client);
  }

  private async startSession(userId: string, client: ClientInfo): Promise<AuthResult> {
    const user = await this.repo.findUserWithChannel(userId);
    if (!user) throw unauthorized();
    const expiresAt = new Date(Date.now() + this.config.AUTH_REFRESH_TOKEN_TTL * 1000);
    const session = await this.repo.createSession({ userId, userAgent: client.userAgent?.slice(0, 300) ?? null, ip: client.ip, expiresAt });
    const pair = await this.issuePair(user.id, user.role, session.id, expiresAt);
    return { user: toUserDto(user), ...pair };
  }

  private async issuePair(userId: string, role: 'user' | 'admin', sessionId: string, refreshExpiresAt: Date): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    await this.repo.insertRefreshToken(sessionId, hashRefreshToken(refreshToken), refreshExpiresAt);
    const accessToken = await issueAccessToken(
      { userId, sessionId, role },
      this.keys.signingKey,
      this.config.publicUrl,
      this.config.AUTH_ACCESS_TOKEN_TTL,
    );
    return { accessToken, refreshToken, expiresIn: this.config.AUTH_ACCESS_TOKEN_TTL };
  }

  /**
   * Rotates a refresh token: the presented one is spent, a new one is returned in the same session.
   * Presenting a spent token means it was copied: the whole session (token family) is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const tokenHash = hashRefreshToken(refreshToken);
    const row = await this.repo.findRefreshToken(tokenHash);
    if (!row) throw unauthorized('Refresh token is invalid', 'invalid_refresh_token');
    if (row.revoked_at) throw unauthorized('This session has been signed out', 'session_revoked');
    if (row.used_at || !(await this.repo.consumeRefreshToken(tokenHash))) {
      await this.revokeSessionIds(await this.repo.revokeSessions({ userId: row.user_id, sessionId: row.session_id }, 'refresh_token_reuse'));
      throw unauthorized('Refresh token was already used; the session has been revoked', 'refresh_token_reused');
    }
    if (row.expires_at.getTime() <= Date.now()) throw unauthorized('Refresh token has expired', 'refresh_token_expired');
    const expiresAt = new Date(Date.now() + this.config.AUTH_REFRESH_TOKEN_TTL * 1000);
    await this.repo.touchSession(row.session_id, expiresAt);
    return this.issuePair(row.user_id, row.role, row.session_id, expiresAt);
  }

  /** Logout: revokes the session the refresh token belongs to. Unknown tokens are ignored (idempotent). */
  async logout(refreshToken: string): Promise<void> {
    const row = await this.repo.findRefreshToken(hashRefreshToken(refreshToken));
    if (!row) return;
    await this.revokeSessionIds(await this.repo.revokeSessions({ userId: row.user_id, sessionId: row.session_id }, 'logout'));
  }

  async listSessions(user: AuthUser): Promise<Session[]> {
    const rows = await this.repo.listActiveSessions(user.id);
    return rows.map((row) => ({
      id: row.id,
      userAgent: row.user_agent,
      ip: row.ip,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at.toISOString(),
      expiresAt: new Date(row.expires_at).toISOString(),
      current: row.id === user.sessionId,
    }));
  }

  async revokeSession(user: AuthUser, sessionId: string): Promise<boolean> {
    const revoked = await this.repo.revokeSessions({ userId: user.id, sessionId }, 'revoked_by_user');
    await this.revokeSessionIds(revoked);
    return revoked.length > 0;
  }

  async revokeAllSessions(user: AuthUser, keepCurrent: boolean): Promise<void> {
    const revoked = await this.repo.revokeSessions(
      { userId: user.id, ...(keepCurrent && user.sessionId ? { exceptSessionId: user.sessionId } : {}) },
      'revoked_by_user',
    );
    await this.revokeSessionIds(revoked);
  }

  /** Access tokens are stateless; a revoked session's remaining tokens are refused via a cache entry that outlives them. */
  private async revokeSessionIds(sessionIds: string[]): Promise<void> {
    for (const id of sessionIds) await this.cache.set(`session-revoked:${id}`, '1', this.config.AUTH_ACCESS_TOKEN_TTL + 60);
  }

  /** Housekeeping run by workers: stale sessions are kept a week so reuse of their tokens is still recognised. */
  purgeStaleSessions(): Promise<number> {
    return this.repo.purgeStaleSessions(7);
  }

  async me(user: AuthUser): Promise<User> {
    const row = await this.repo.findUserWithChannel(user.id);
    if (!row) throw unauthorized('Your account no longer exists', 'invalid_token');
    return toUserDto(row);
  }

  /** Verifies a bearer token: ours (by key id) or, when configured, the external OIDC issuer's. */
  async authenticate(token: string): Promise<AuthUser> {
    let header: { kid?: string; alg?: string };
    let issuer: unknown;
    try {
      header = decodeProtectedHeader(token);
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthorized('Access token is malformed', 'invalid_token');
    }
    if (this.oidc && issuer === this.oidc.issuer) return this.authenticateExternal(token);
    if (header.kid && !this.keys.knows(header.kid)) await this.keys.refresh();
    try {
      const claims = await verifyAccessToken(token, this.keys.verificationKeys, this.config.publicUrl);
      if (await this.cache.get(`session-revoked:${claims.sessionId}`)) throw unauthorized('This session has been signed out', 'session_revoked');
      return { id: claims.userId, role: claims.role, sessionId: claims.sessionId };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(error.message, error.code);
      throw error;
    }
  }

  private async authenticateExternal(token: string): Promise<AuthUser> {
    const oidc = this.oidc!;
    let claims: Awaited<ReturnType<OidcVerifier['verify']>>;
    try {
      claims = await oidc.verify(token);
    } catch (error) {
      const expired = error instanceof Error && error.name === 'JWTExpired';
      throw unauthorized(expired ? 'Access token has expired' : 'Access token is invalid', expired ? 'token_expired' : 'invalid_token');
    }
    const cacheKey = `oidc-user:${oidc.issuer}:${claims.sub}`;
    const cached = await this.cache.get(cacheKey);
    if (cached) return JSON.parse(cached) as AuthUser;
    const user = await this.findOrCreateExternalUser(oidc.issuer, claims.sub, claims);
    await this.cache.set(cacheKey, JSON.stringify(user), 300);
    return user;
  }

  private async findOrCreateExternalUser(issuer: string, subject: string, claims: Record<string, unknown>): Promise<AuthUser> {
    const existing = await this.repo.findExternalIdentity(issuer, subject);
    if (existing) return { id: existing.id, role: existing.role, sessionId: null };
    const base = usernameFromClaims(claims);
    try {
      const userId = await this.db.transaction().execute(async (trx) => {
        let username = base;
        for (let n = 2; (await this.repo.usernameTaken(trx, username)) || (await this.repo.handleTaken(trx, username)); n++) {
          username = `${base.slice(0, 28)}${n}`;
        }
        const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email : null;
        const emailFree = email ? (await this.repo.findUserByLogin(email)) === undefined : false;
        const user = await this.repo.createUser(trx, { username, email: emailFree ? email : null, passwordHash: null, channelHandle: username });
        await this.repo.linkExternalIdentity(trx, issuer, subject, user.id);
        return user.id;
      });
      return { id: userId, role: 'user', sessionId: null };
    } catch (error) {
      // Two first requests raced; the other one created the user.
      const raced = isUniqueViolation(error) ? await this.repo.findExternalIdentity(issuer, subject) : undefined;
      if (raced) return { id: raced.id, role: raced.role, sessionId: null };
      throw error instanceof AppError ? error : new AppError(500, 'internal_error', 'Could not create the account for this token');
    }
  }
}
