import type { AuthResult, LoginResult, RegisterBody, TokenPair, User, VerificationPending } from '@tube/shared';
import { readApiError } from './errors.ts';

const REFRESH_LOCK_NAME = 'tube.auth.refresh';
/** Refresh slightly before expiry so a request never leaves with a token that dies in flight. */
const EXPIRY_MARGIN_MS = 20_000;

export type AuthStatus = 'loading' | 'signedIn' | 'signedOut';

export interface AuthSnapshot {
  status: AuthStatus;
  user: User | null;
}

/** How a sign-in attempt ended: signed in, or a second step the person still has to take. */
export type SignInOutcome = { kind: 'signedIn'; user: User } | { kind: 'twoFactor'; challengeToken: string } | { kind: 'verificationRequired'; email: string };

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** Where the refresh token lives between visits; shared by every tab of the origin. */
export interface TokenStore {
  read(): Promise<string | null>;
  /** Resolves once the write is visible to every tab. null removes the token. */
  write(token: string | null): Promise<void>;
}

/** The part of the Web Locks API we use; `navigator.locks` satisfies it. */
export interface ExclusiveLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** Tells other tabs that this one signed in or out (a BroadcastChannel in browsers). */
export type SessionAnnouncer = (change: 'signedIn' | 'signedOut') => void;

export interface AuthClientOptions {
  fetch: FetchFunction;
  tokenStore: TokenStore;
  /** Serialises refreshes across tabs. Without it, refreshes are only single-flight within this tab. */
  locks?: ExclusiveLocks | null;
  announce?: SessionAnnouncer;
  now?: () => number;
}

/**
 * Owns the session: the access token (memory only), the refresh token (the token store, shared by
 * tabs) and the signed-in user.
 *
 * Refresh tokens rotate and a replayed one revokes the whole session, so at most one refresh may
 * be in flight per token: within a tab concurrent callers share one promise, and across tabs the
 * refresh runs under a Web Lock and reads the stored token only once it holds the lock (another
 * tab may have rotated it meanwhile).
 */
export class AuthClient {
  readonly #fetch: FetchFunction;
  readonly #tokenStore: TokenStore;
  readonly #locks: ExclusiveLocks | null;
  readonly #announce: SessionAnnouncer;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #snapshot: AuthSnapshot = { status: 'loading', user: null };
  #accessToken: string | null = null;
  #accessTokenExpiresAt = 0;
  #refreshMarginMs = EXPIRY_MARGIN_MS;
  #refreshInFlight: Promise<string | null> | null = null;
  /** Bumped on every sign-in and sign-out, so a refresh that was started before one is ignored. */
  #sessionGeneration = 0;

  constructor(options: AuthClientOptions) {
    this.#fetch = options.fetch;
    this.#tokenStore = options.tokenStore;
    this.#locks = options.locks ?? null;
    this.#announce = options.announce ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  getSnapshot = (): AuthSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Restores the session from the stored refresh token, if any. Call once at start-up. */
  async initialize(): Promise<void> {
    try {
      if (!(await this.#tokenStore.read())) {
        this.#setSnapshot({ status: 'signedOut', user: null });
        return;
      }
      const token = await this.refreshAccessToken();
      if (!token) return;
      const user = await this.#loadCurrentUser();
      if (user) this.#setSnapshot({ status: 'signedIn', user });
    } catch {
      // Offline or server trouble: keep the stored token so the next visit can restore the session.
      this.#setSnapshot({ status: 'signedOut', user: null });
    }
  }

  async signIn(login: string, password: string): Promise<SignInOutcome> {
    return this.#authenticate('/api/v1/auth/login', { login, password });
  }

  /** Second step of a sign-in with two-factor authentication on. */
  async completeTwoFactor(challengeToken: string, code: string): Promise<SignInOutcome> {
    return this.#authenticate('/api/v1/auth/login/two-factor', { challengeToken, code });
  }

  /** Finishes a sign-in through the external identity provider with the one-time code from the callback. */
  async exchangeExternalCode(code: string): Promise<SignInOutcome> {
    return this.#authenticate('/api/v1/auth/oidc/exchange', { code });
  }

  async register(body: RegisterBody): Promise<SignInOutcome> {
    return this.#authenticate('/api/v1/auth/register', body);
  }

  /** Forgets the session right away, then tells the server (best effort). */
  async signOut(): Promise<void> {
    const refreshToken = await this.#tokenStore.read();
    await this.#clearSession();
    this.#announce('signedOut');
    if (!refreshToken) return;
    try {
      await this.#fetch('/api/v1/auth/logout', jsonRequest('POST', { refreshToken }));
    } catch {
      // The session expires on its own; nothing useful to tell the person.
    }
  }

  /** A usable access token, refreshed first when missing or about to expire; null when signed out. */
  async getAccessToken(): Promise<string | null> {
    if (this.#hasFreshAccessToken()) return this.#accessToken;
    if (this.#snapshot.status === 'signedOut') return null;
    return this.refreshAccessToken();
  }

  /** Exchanges the refresh token for a new pair; concurrent callers share one exchange. Null = signed out. */
  refreshAccessToken(): Promise<string | null> {
    this.#refreshInFlight ??= this.#exclusively(() => this.#refreshHoldingLock()).finally(() => {
      this.#refreshInFlight = null;
    });
    return this.#refreshInFlight;
  }

  /**
   * fetch() with the Bearer token. A 401 on a request that carried a token (expired early, signing
   * key rotated, session revoked) triggers one refresh and one retry; a failed refresh signs out.
   */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const token = await this.getAccessToken();
    const response = await this.#fetch(path, withBearer(init, token));
    if (response.status !== 401 || token === null) return response;
    // Another caller may have refreshed while this request was in flight.
    const renewed = this.#accessToken !== token && this.#hasFreshAccessToken() ? this.#accessToken : await this.refreshAccessToken();
    if (!renewed) return response;
    return this.#fetch(path, withBearer(init, renewed));
  }

  /** Another tab signed in or out. */
  async handleRemoteChange(change: 'signedIn' | 'signedOut'): Promise<void> {
    if (change === 'signedOut' && this.#snapshot.status !== 'signedOut') {
      this.#forgetSessionLocally();
    } else if (change === 'signedIn' && this.#snapshot.status === 'signedOut') {
      await this.initialize();
    }
  }

  async #authenticate(path: string, body: object): Promise<SignInOutcome> {
    const response = await this.#fetch(path, jsonRequest('POST', body));
    if (!response.ok) throw await readApiError(response);
    const result = (await response.json()) as LoginResult | VerificationPending;
    if ('twoFactorRequired' in result) return { kind: 'twoFactor', challengeToken: result.challengeToken };
    if ('verificationRequired' in result) return { kind: 'verificationRequired', email: result.email };
    await this.#startSession(result);
    return { kind: 'signedIn', user: result.user };
  }

  async #startSession(result: AuthResult): Promise<void> {
    this.#sessionGeneration += 1;
    await this.#storeTokens(result);
    this.#setSnapshot({ status: 'signedIn', user: result.user });
    this.#announce('signedIn');
  }

  /** After a change to the account (username), the signed-in user as the server now sees it. */
  async reloadUser(): Promise<void> {
    const user = await this.#loadCurrentUser();
    if (user) this.#setSnapshot({ status: 'signedIn', user });
  }

  async #refreshHoldingLock(): Promise<string | null> {
    // Read only now: while this tab waited for the lock, another may have spent the old token.
    const refreshToken = await this.#tokenStore.read();
    if (!refreshToken) {
      this.#forgetSessionLocally();
      return null;
    }
    const generation = this.#sessionGeneration;
    const response = await this.#fetch('/api/v1/auth/refresh', jsonRequest('POST', { refreshToken }));
    if (response.ok) {
      const pair = (await response.json()) as TokenPair;
      // Signed in or out while this was in flight: that newer state wins.
      if (generation !== this.#sessionGeneration) return this.#accessToken;
      await this.#storeTokens(pair);
      return pair.accessToken;
    }
    // 400/401: the token is unknown, spent, expired or its session was revoked. Anything else
    // (429, 5xx) is transient and must not sign the person out.
    if (response.status === 400 || response.status === 401) {
      await this.#clearSession();
      return null;
    }
    throw await readApiError(response);
  }

  async #loadCurrentUser(): Promise<User | null> {
    const response = await this.fetch('/api/v1/users/me');
    if (response.status === 401) {
      await this.#clearSession();
      return null;
    }
    if (!response.ok) throw await readApiError(response);
    return (await response.json()) as User;
  }

  #exclusively<T>(task: () => Promise<T>): Promise<T> {
    return this.#locks ? this.#locks.request(REFRESH_LOCK_NAME, task) : task();
  }

  #hasFreshAccessToken(): boolean {
    return this.#accessToken !== null && this.#now() < this.#accessTokenExpiresAt - this.#refreshMarginMs;
  }

  async #storeTokens(pair: TokenPair): Promise<void> {
    await this.#tokenStore.write(pair.refreshToken);
    this.#accessToken = pair.accessToken;
    this.#accessTokenExpiresAt = this.#now() + pair.expiresIn * 1000;
    // Tokens shorter-lived than the margin would otherwise never count as fresh.
    this.#refreshMarginMs = Math.min(EXPIRY_MARGIN_MS, (pair.expiresIn * 1000) / 2);
  }

  /** Ends the session for every tab: the stored refresh token goes too. */
  async #clearSession(): Promise<void> {
    this.#forgetSessionLocally();
    await this.#tokenStore.write(null);
  }

  #forgetSessionLocally(): void {
    this.#sessionGeneration += 1;
    this.#accessToken = null;
    this.#accessTokenExpiresAt = 0;
    if (this.#snapshot.status !== 'signedOut') this.#setSnapshot({ status: 'signedOut', user: null });
  }

  #setSnapshot(snapshot: AuthSnapshot): void {
    this.#snapshot = snapshot;
    for (const listener of this.#listeners) listener();
  }
}

function jsonRequest(method: string, body: object): RequestInit {
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function withBearer(init: RequestInit, token: string | null): RequestInit {
  if (!token) return init;
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}
