import { hash, verify, type Options as Argon2Options } from '@node-rs/argon2';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import type { AuthResult, LoginResult, Session, TokenPair, TwoFactorChallenge, User, VerificationPending } from '@tube/shared';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';
import type { Db } from '../infra/db/database.ts';
import { AppError, conflict, forbidden, unauthorized } from '../infra/http/errors.ts';
import { AccountRateLimit } from './account-rate-limit.ts';
import { TwoFactor } from './two-factor.ts';
import type { AuthRepository, UserWithChannel } from './auth.repository.ts';
import { LoginRateLimit } from './login-rate-limit.ts';
import { OidcVerifier, usernameFromClaims } from './oidc.ts';
import { SigningKeys } from './signing-keys.ts';
import { hashRefreshToken, InvalidTokenError, issueAccessToken, newRefreshToken, verifyAccessToken } from './tokens.ts';
import type { AuthUser } from '../http/auth-user.ts';
import { isUniqueViolation } from '../infra/db/errors.ts';

/** Who is making a request, once their bearer token has been verified. */
export type { AuthUser } from '../http/auth-user.ts';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

// algorithm 2 = Argon2id (a const enum in the typings, which isolated modules cannot import).
const ARGON2_OPTIONS: Argon2Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
/** How recent a sign-in must be to stand in for the password of an account that has none. */
const RECENT_SIGN_IN_MS = 10 * 60_000;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

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

/** The email sign-up sends: implemented by accounts/ (`AccountEmails`), wired in runtime.ts. */
export interface SignUpEmails {
  sendVerification(user: { id: string; username: string }, email: string): Promise<void>;
}
export class AuthService {
  readonly keys: SigningKeys;
  private readonly rateLimit: LoginRateLimit;
  private readonly oidc: OidcVerifier | null;
  private dummyHash: Promise<string> | null = null;
  readonly twoFactor: TwoFactor;
  readonly accountLimits: AccountRateLimit;

  constructor(
    private readonly repo: AuthRepository,
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly config: Config,
    private readonly emails: SignUpEmails,
  ) {
    this.twoFactor = new TwoFactor(db, 'Tube');
    this.accountLimits = new AccountRateLimit(cache, {
      mailPerAddress: config.ACCOUNT_MAIL_RATE_LIMIT,
      mailWindowSeconds: config.ACCOUNT_MAIL_RATE_LIMIT_WINDOW,
      twoFactorPerAccount: config.TWO_FACTOR_RATE_LIMIT,
      twoFactorWindowSeconds: config.LOGIN_RATE_LIMIT_WINDOW,
      passwordPerAccount: config.LOGIN_RATE_LIMIT_ACCOUNT,
      passwordWindowSeconds: config.LOGIN_RATE_LIMIT_WINDOW,
    });
    this.keys = new SigningKeys(db);
    this.rateLimit = new LoginRateLimit(cache, {
      perIp: config.LOGIN_RATE_LIMIT_IP,
      perAccount: config.LOGIN_RATE_LIMIT_ACCOUNT,
      windowSeconds: config.LOGIN_RATE_LIMIT_WINDOW,
    });
    this.oidc = config.AUTH_OIDC_ISSUER ? new OidcVerifier(config.AUTH_OIDC_ISSUER, config.AUTH_OIDC_AUDIENCE) : null;
  }

  /** Loads signing keys and applies ADMIN_USERNAMES; returns the listed names that have no account. */
  async init(): Promise<string[]> {
    await this.keys.load();
    // Applied both ways, and only to accounts that exist: registering a listed name later grants nothing.
    if (this.config.adminUsernames.length === 0) return [];
    return (await this.repo.applyAdminList(this.config.adminUsernames)).missing;
  }

  /** The role as stored now (a demotion takes effect before the access token that says "admin" expires). */
  currentRole(userId: string): Promise<'user' | 'admin' | null> {
    return this.repo.roleOf(userId);
  }

  async register(input: { username: string; email: string; password: string }, client: ClientInfo): Promise<AuthResult | VerificationPending> {
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
          role: 'user',
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
    if (this.config.EMAIL_VERIFICATION !== 'off') await this.emails.sendVerification({ id: userId, username: input.username }, input.email);
    if (this.config.EMAIL_VERIFICATION === 'required') return { verificationRequired: true, email: input.email };
    return this.startSession(userId, client);
  }

  async login(input: { login: string; password: string }, client: ClientInfo): Promise<LoginResult> {
    await this.rateLimit.attemptFrom(client.ip ?? 'unknown');
    const user = await this.repo.findUserByLogin(input.login);
    const accountKey = LoginRateLimit.accountKey(user?.id ?? null, input.login);
    await this.rateLimit.checkAccount(accountKey);
    // Verify against a throwaway hash for unknown logins so timing does not reveal which accounts exist.
    const storedHash = user?.password_hash ?? (await this.dummyPasswordHash());
    const valid = await verify(storedHash, input.password).catch(() => false);
    if (!user || !user.password_hash || !valid) {
      await this.rateLimit.failed(accountKey);
      throw unauthorized('Wrong username/email or password', 'invalid_credentials');
    }
    return this.passFirstFactor(user.id, client);
  }

  private dummyPasswordHash(): Promise<string> {
    this.dummyHash ??= hash('not-a-real-password', ARGON2_OPTIONS);
    return this.dummyHash;
  }

  /** After the password (or the external provider) said yes: the account checks, then tokens or a 2FA challenge. */
  async passFirstFactor(userId: string, client: ClientInfo): Promise<LoginResult> {
    const user = await this.repo.findUserSecurity(userId);
    if (!user) throw unauthorized();
    if (user.deletion_scheduled_at && user.deletion_scheduled_at.getTime() <= Date.now()) {
      throw forbidden('This account has been deleted', 'account_deleted');
    }
    if (this.config.EMAIL_VERIFICATION === 'required' && user.email && !user.email_verified_at) {
      throw forbidden('Confirm your email address first: open the link we emailed you (you can ask for a new one)', 'email_unverified');
    }
    if (user.totp_enabled_at) return this.challenge(userId);
    return this.startSession(userId, client);
  }

  private async challenge(userId: string): Promise<TwoFactorChallenge> {
    const challengeToken = newRefreshToken();
    const expiresIn = 300;
    await this.cache.set(`two-factor-challenge:${hashRefreshToken(challengeToken)}`, userId, expiresIn);
    return { twoFactorRequired: true, challengeToken, expiresIn };
  }

  /** Second step of a login with 2FA on: the challenge from step one and an authenticator or recovery code. */
  async completeTwoFactor(input: { challengeToken: string; code: string }, client: ClientInfo): Promise<AuthResult> {
    const key = `two-factor-challenge:${hashRefreshToken(input.challengeToken)}`;
    const userId = await this.cache.get(key);
    if (!userId) throw unauthorized('This sign-in has expired; enter your password again', 'challenge_expired');
    await this.accountLimits.beforeSecondFactor(userId);
    if (!(await this.twoFactor.verify(userId, input.code))) {
      await this.accountLimits.secondFactorFailed(userId);
      throw unauthorized('That code is not right (or was already used)', 'invalid_two_factor_code');
    }
    await this.cache.del(key);
    return this.startSession(userId, client);
  }

  /** True when the password is the account's; accounts without a password (external sign-in only) have none to check. */
  /**
   * Confirms that the person holding this request's token is the account's owner before a sensitive change: by the
   * current password, or, for an account that has none (created through the identity provider), by a sign-in made in
   * the last RECENT_SIGN_IN_MS — a stolen access token alone must not be enough to set a password or an email.
   * Tokens straight from the external issuer are themselves the provider's fresh proof and are accepted.
   */
  async confirmIdentity(user: AuthUser, password: string | undefined): Promise<'ok' | 'wrong_password' | 'sign_in_again'> {
    const row = await this.repo.findUserSecurity(user.id);
    if (!row) return 'wrong_password';
    if (row.password_hash) return password && (await verify(row.password_hash, password).catch(() => false)) ? 'ok' : 'wrong_password';
    if (!user.sessionId) return 'ok';
    const signedInAt = await this.repo.sessionCreatedAt(user.sessionId);
    return signedInAt && Date.now() - signedInAt.getTime() <= RECENT_SIGN_IN_MS ? 'ok' : 'sign_in_again';
  }

  /** Revokes every session of the user (but `exceptSessionId`), tokens included. */
  async signOutEverywhere(userId: string, reason: string, exceptSessionId?: string | null): Promise<void> {
    await this.revokeSessionIds(await this.repo.revokeSessions({ userId, ...(exceptSessionId ? { exceptSessionId } : {}) }, reason));
  }

  /** With TWO_FACTOR_REQUIRED_FOR_ADMINS, administrator actions need 2FA to be on. */
  async assertAdminSecondFactor(user: AuthUser): Promise<void> {
    if (!this.config.TWO_FACTOR_REQUIRED_FOR_ADMINS) return;
    if (!(await this.twoFactor.isEnabled(user.id))) {
      throw forbidden('Administrators must turn on two-factor authentication (in Settings) before doing this', 'two_factor_required');
    }
  }

  async startSession(userId: string, client: ClientInfo): Promise<AuthResult> {
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
    const accessToken = await issueAccessToken({ userId, sessionId, role }, this.keys.signingKey, this.config.publicUrl, this.config.AUTH_ACCESS_TOKEN_TTL);
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
      if (await this.sessionRevoked(claims.sessionId)) throw unauthorized('This session has been signed out', 'session_revoked');
      return this.withConfirmedRole({ id: claims.userId, role: claims.role, sessionId: claims.sessionId });
    } catch (error) {
      if (error instanceof InvalidTokenError) throw unauthorized(error.message, error.code);
      throw error;
    }
  }

  /**
   * A role claim of "admin" is checked against the database (administrators are few, so this costs little):
   * a revoked administrator loses every power at once, not when their token or cache entry expires.
   */
  private async withConfirmedRole(user: AuthUser): Promise<AuthUser> {
    if (user.role !== 'admin') return user;
    return { ...user, role: (await this.repo.roleOf(user.id)) === 'admin' ? 'admin' : 'user' };
  }

  /**
   * Revocations are read from the cache; while it is out, and for one access-token lifetime after (a revocation
   * made during the outage may never have reached it), PostgreSQL answers instead: one indexed read per request.
   */
  private async sessionRevoked(sessionId: string): Promise<boolean> {
    if (await this.cache.get(`session-revoked:${sessionId}`)) return true;
    if (this.cache.degradedWithin?.(this.config.AUTH_ACCESS_TOKEN_TTL + 60)) return this.repo.sessionRevoked(sessionId);
    return false;
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
    if (cached) return this.withConfirmedRole(JSON.parse(cached) as AuthUser);
    const user = await this.findOrCreateExternalUser(oidc.issuer, claims.sub, claims);
    await this.cache.set(cacheKey, JSON.stringify(user), 300);
    return user;
  }

  /**
   * The local account of an external identity: the one linked before, else an account whose email both sides have
   * verified (linked now), else a new account.
   */
  async findOrCreateExternalUser(issuer: string, subject: string, claims: Record<string, unknown>): Promise<AuthUser> {
    const existing = await this.repo.findExternalIdentity(issuer, subject);
    if (existing) return { id: existing.id, role: existing.role, sessionId: null };
    // Some providers (older Cognito pools among them) send email_verified as the string "true".
    const emailVerified = claims.email_verified === true || claims.email_verified === 'true';
    if (typeof claims.email === 'string' && emailVerified) {
      const local = await this.repo.findUserByLogin(claims.email);
      const verified = local ? await this.repo.findUserSecurity(local.id) : undefined;
      if (local && verified?.email_verified_at) {
        try {
          await this.db.transaction().execute((trx) => this.repo.linkExternalIdentity(trx, issuer, subject, local.id));
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
        }
        return { id: local.id, role: local.role, sessionId: null };
      }
    }
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
        if (emailFree && emailVerified) await trx.updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', user.id).execute();
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
