import { describe, expect, it } from 'vitest';
import type { User } from '@tube/shared';
import { AuthClient, type ExclusiveLocks, type TokenStore } from '../src/api/auth-client.ts';
import { ApiError } from '../src/api/errors.ts';

const USER: User = {
  id: 'u1',
  username: 'alice',
  email: 'alice@example.test',
  role: 'user',
  createdAt: '2025-01-01T00:00:00.000Z',
  channel: { id: 'c1', handle: 'alice', name: 'alice' },
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * An in-memory stand-in for the auth API with the real rotation rules: each refresh token works
 * once, and presenting a spent one revokes the session.
 */
class FakeAuthServer {
  accessTokenLifetimeSeconds = 900;
  refreshCalls = 0;
  requests: Array<{ path: string; authorization: string | null }> = [];
  sessionRevoked = false;
  failRefreshWith: number | null = null;
  delayRefreshMs = 0;
  requireSecondFactor = false;
  #generation = 0;
  #validRefreshToken = 'rt-0';
  #validAccessTokens = new Set<string>(['at-0']);

  async issueInitialSession(store: TokenStore): Promise<void> {
    await store.write(this.#validRefreshToken);
  }

  expireAccessTokens(): void {
    this.#validAccessTokens.clear();
  }

  fetch = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const authorization = new Headers(init.headers).get('authorization');
    this.requests.push({ path, authorization });
    if (path === '/api/v1/auth/refresh') return this.#refresh(String(init.body));
    if (path === '/api/v1/auth/login')
      return this.requireSecondFactor ? json(200, { twoFactorRequired: true, challengeToken: 'challenge-1', expiresIn: 300 }) : this.#login();
    if (path === '/api/v1/auth/login/two-factor') {
      const { challengeToken, code } = JSON.parse(String(init.body)) as { challengeToken: string; code: string };
      if (challengeToken !== 'challenge-1' || code !== '123456')
        return json(401, { error: { code: 'invalid_two_factor_code', message: 'That code is not right' } });
      return this.#login();
    }
    if (path === '/api/v1/auth/logout') return new Response(null, { status: 204 });
    const token = authorization?.replace(/^Bearer /, '') ?? null;
    if (!token) return json(401, { error: { code: 'unauthorized', message: 'Sign in to do this' } });
    if (this.sessionRevoked) return json(401, { error: { code: 'session_revoked', message: 'This session has been signed out' } });
    if (!this.#validAccessTokens.has(token)) return json(401, { error: { code: 'token_expired', message: 'Access token has expired' } });
    if (path === '/api/v1/users/me') return json(200, USER);
    return json(200, { ok: true, token });
  };

  #login(): Response {
    this.#generation += 1;
    this.#validRefreshToken = `rt-${this.#generation}`;
    const accessToken = `at-${this.#generation}`;
    this.#validAccessTokens.add(accessToken);
    return json(200, { user: USER, accessToken, refreshToken: this.#validRefreshToken, expiresIn: this.accessTokenLifetimeSeconds });
  }

  async #refresh(body: string): Promise<Response> {
    this.refreshCalls += 1;
    const { refreshToken } = JSON.parse(body) as { refreshToken: string };
    if (this.delayRefreshMs) await new Promise((resolve) => setTimeout(resolve, this.delayRefreshMs));
    if (this.failRefreshWith) return json(this.failRefreshWith, { error: { code: 'unavailable', message: 'Try later' } });
    if (this.sessionRevoked) return json(401, { error: { code: 'session_revoked', message: 'This session has been signed out' } });
    if (refreshToken !== this.#validRefreshToken) {
      this.sessionRevoked = true;
      return json(401, { error: { code: 'refresh_token_reused', message: 'Refresh token was already used; the session has been revoked' } });
    }
    this.#generation += 1;
    this.#validRefreshToken = `rt-${this.#generation}`;
    const accessToken = `at-${this.#generation}`;
    this.#validAccessTokens.add(accessToken);
    return json(200, { accessToken, refreshToken: this.#validRefreshToken, expiresIn: this.accessTokenLifetimeSeconds });
  }
}

/** A token store shared by every client given it, like IndexedDB is by tabs. */
class MemoryTokenStore implements TokenStore {
  value: string | null = null;
  read = async () => this.value;
  write = async (token: string | null) => {
    this.value = token;
  };
}

/** A single-holder lock like navigator.locks, shared by the "tabs" that get the same instance. */
function sharedLock(): ExclusiveLocks {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    request<T>(_name: string, callback: () => Promise<T>): Promise<T> {
      const result = tail.then(callback);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

describe('AuthClient', () => {
  it('starts signed out without a network call when nothing is stored', async () => {
    const server = new FakeAuthServer();
    const client = new AuthClient({ fetch: server.fetch, tokenStore: new MemoryTokenStore() });
    await client.initialize();
    expect(client.getSnapshot()).toEqual({ status: 'signedOut', user: null });
    expect(server.requests).toHaveLength(0);
  });

  it('restores a session from the stored refresh token and rotates it', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    await server.issueInitialSession(storage);
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    const notifications: string[] = [];
    client.subscribe(() => notifications.push(client.getSnapshot().status));
    await client.initialize();
    expect(client.getSnapshot()).toEqual({ status: 'signedIn', user: USER });
    expect(storage.value).toBe('rt-1');
    expect(notifications).toEqual(['signedIn']);
    expect(server.requests.at(-1)).toEqual({ path: '/api/v1/users/me', authorization: 'Bearer at-1' });
  });

  it('refreshes once for many concurrent 401s and retries each request with the new token', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    await client.signIn('alice', 'pw');
    server.expireAccessTokens();
    server.delayRefreshMs = 20;

    const responses = await Promise.all([1, 2, 3, 4, 5].map((n) => client.fetch(`/api/v1/thing/${n}`)));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.refreshCalls).toBe(1);
    expect(server.sessionRevoked).toBe(false);
    const retries = server.requests.filter((request) => request.path.startsWith('/api/v1/thing/') && request.authorization === 'Bearer at-2');
    expect(retries).toHaveLength(5);
  });

  it('refreshes before sending when the access token is known to be about to expire', async () => {
    const server = new FakeAuthServer();
    let now = 1_000_000;
    const client = new AuthClient({ fetch: server.fetch, tokenStore: new MemoryTokenStore(), now: () => now });
    await client.signIn('alice', 'pw');
    now += 890_000; // 10 s before expiry: inside the safety margin
    const response = await client.fetch('/api/v1/thing');
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toBe(1);
    // No request left with the old token.
    expect(server.requests.filter((request) => request.authorization === 'Bearer at-1' && request.path === '/api/v1/thing')).toHaveLength(0);
  });

  it('signs out when the refresh token is refused', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    await client.signIn('alice', 'pw');
    server.sessionRevoked = true;
    server.expireAccessTokens();

    const response = await client.fetch('/api/v1/thing');

    expect(response.status).toBe(401);
    expect(client.getSnapshot().status).toBe('signedOut');
    expect(storage.value).toBeNull();
    expect(server.refreshCalls).toBe(1);
  });

  it('keeps the session through transient refresh failures', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    await client.signIn('alice', 'pw');
    server.expireAccessTokens();
    server.failRefreshWith = 503;

    await expect(client.fetch('/api/v1/thing')).rejects.toBeInstanceOf(ApiError);
    expect(client.getSnapshot().status).toBe('signedIn');
    expect(storage.value).toBe('rt-1');

    server.failRefreshWith = null;
    expect((await client.fetch('/api/v1/thing')).status).toBe(200);
  });

  it('with a shared lock, two tabs refreshing at once never replay a refresh token', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    await server.issueInitialSession(storage);
    const locks = sharedLock();
    server.delayRefreshMs = 10;
    const firstTab = new AuthClient({ fetch: server.fetch, tokenStore: storage, locks });
    const secondTab = new AuthClient({ fetch: server.fetch, tokenStore: storage, locks });

    await Promise.all([firstTab.initialize(), secondTab.initialize()]);

    expect(server.sessionRevoked).toBe(false);
    expect(firstTab.getSnapshot().status).toBe('signedIn');
    expect(secondTab.getSnapshot().status).toBe('signedIn');
    expect(server.refreshCalls).toBe(2);
    expect(storage.value).toBe('rt-2');
  });

  it('without a lock the same race replays the token (why the lock is needed)', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    await server.issueInitialSession(storage);
    server.delayRefreshMs = 10;
    const firstTab = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    const secondTab = new AuthClient({ fetch: server.fetch, tokenStore: storage });

    await Promise.all([firstTab.initialize(), secondTab.initialize()]);

    expect(server.sessionRevoked).toBe(true);
  });

  it('announces sign-in and sign-out, and follows those of other tabs', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    const announcements: string[] = [];
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage, announce: (change) => announcements.push(change) });
    await client.signIn('alice', 'pw');
    expect(announcements).toEqual(['signedIn']);

    const otherTab = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    await otherTab.initialize();
    expect(otherTab.getSnapshot().status).toBe('signedIn');

    await client.signOut();
    expect(announcements).toEqual(['signedIn', 'signedOut']);
    await otherTab.handleRemoteChange('signedOut');
    expect(otherTab.getSnapshot().status).toBe('signedOut');
    expect(await otherTab.getAccessToken()).toBeNull();

    await client.signIn('alice', 'pw');
    await otherTab.handleRemoteChange('signedIn');
    expect(otherTab.getSnapshot()).toEqual({ status: 'signedIn', user: USER });
  });

  it('signs out locally at once and tells the server', async () => {
    const server = new FakeAuthServer();
    const storage = new MemoryTokenStore();
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    await client.signIn('alice', 'pw');
    await client.signOut();
    expect(client.getSnapshot().status).toBe('signedOut');
    expect(storage.value).toBeNull();
    expect(server.requests.at(-1)?.path).toBe('/api/v1/auth/logout');
    // Anonymous requests carry no Authorization header.
    await client.fetch('/api/v1/thing');
    expect(server.requests.at(-1)?.authorization).toBeNull();
  });

  it('surfaces login errors with the server message', async () => {
    const client = new AuthClient({
      fetch: async () => json(401, { error: { code: 'invalid_credentials', message: 'Wrong username/email or password' } }),
      tokenStore: new MemoryTokenStore(),
    });
    await expect(client.signIn('alice', 'nope')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_credentials',
      message: 'Wrong username/email or password',
    });
    expect(client.getSnapshot().status).toBe('loading');
  });

  it('stops at the two-factor step without a session, then signs in with the code', async () => {
    const server = new FakeAuthServer();
    server.requireSecondFactor = true;
    const storage = new MemoryTokenStore();
    const client = new AuthClient({ fetch: server.fetch, tokenStore: storage });
    const first = await client.signIn('alice', 'pw');
    expect(first).toEqual({ kind: 'twoFactor', challengeToken: 'challenge-1' });
    expect(client.getSnapshot().status).not.toBe('signedIn');
    expect(storage.value).toBeNull();
    await expect(client.completeTwoFactor('challenge-1', '000000')).rejects.toMatchObject({ status: 401, code: 'invalid_two_factor_code' });
    expect(storage.value).toBeNull();
    const second = await client.completeTwoFactor('challenge-1', '123456');
    expect(second).toEqual({ kind: 'signedIn', user: USER });
    expect(client.getSnapshot()).toEqual({ status: 'signedIn', user: USER });
    expect(storage.value).toBe('rt-1');
  });
});
