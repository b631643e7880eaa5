import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { issueAccessToken } from '../../src/auth/tokens.ts';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_RATE_LIMIT_ACCOUNT: '3', LOGIN_RATE_LIMIT_IP: '1000', ADMIN_USERNAMES: 'Root-Admin, other' });
});
afterAll(() => t?.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('registration', () => {
  it('creates the account and its default channel, and returns a working token pair', async () => {
    const response = await post('/api/v1/auth/register', { username: 'Alice', email: 'alice@example.test', password: 'long enough' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.user).toMatchObject({ username: 'Alice', email: 'alice@example.test', role: 'user', channel: { handle: 'Alice', name: 'Alice' } });
    expect(body.refreshToken).toEqual(expect.any(String));
    expect(body.expiresIn).toBe(900);
    const me = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(body.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(body.user.id);
  });

  it('stores an argon2id hash, never the password', async () => {
    const row = await t.infra.db.selectFrom('users').select('password_hash').where('username', '=', 'Alice').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('long enough');
  });

  it('refuses usernames and emails that differ only by case', async () => {
    const sameName = await post('/api/v1/auth/register', { username: 'ALICE', email: 'other@example.test', password: 'long enough' });
    expect(sameName.statusCode).toBe(409);
    expect(sameName.json()).toEqual({ error: { code: 'username_taken', message: 'That username is taken' } });
    const sameEmail = await post('/api/v1/auth/register', { username: 'alice2', email: 'ALICE@example.test', password: 'long enough' });
    expect(sameEmail.statusCode).toBe(409);
    expect(sameEmail.json().error.code).toBe('email_taken');
  });

  it.each([
    [{ username: 'bob', email: 'bob@example.test', password: 'short' }, /password/],
    [{ username: 'b', email: 'bob@example.test', password: 'long enough' }, /username/],
    [{ username: 'bob', email: 'not-an-email', password: 'long enough' }, /email/],
    [{ username: 'bob', password: 'long enough' }, /email is required/],
  ])('rejects invalid input %j with a readable 400', async (payload, mentions) => {
    const response = await post('/api/v1/auth/register', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
    expect(response.json().error.message).toMatch(mentions);
  });

  it.each([
    ['an overlong username', { username: 'u'.repeat(33), email: 'long@example.test', password: 'long enough' }, /username/],
    ['an overlong password', { username: 'longpw', email: 'longpw@example.test', password: 'p'.repeat(257) }, /password/],
    ['a number as username', { username: 12345, email: 'num@example.test', password: 'long enough' }, /username/],
    ['an unknown field', { username: 'extra', email: 'extra@example.test', password: 'long enough', role: 'admin' }, /additional/],
  ])('rejects %s with a readable 400, never a 500', async (_name, payload, mentions) => {
    const response = await post('/api/v1/auth/register', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(mentions);
  });

  it('rejects a body that is not JSON at all, and a JSON array', async () => {
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: 'login=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toEqual(expect.any(String));
    const array = await post('/api/v1/auth/login', [1, 2]);
    expect(array.statusCode).toBe(400);
  });

  it('answers malformed JSON with the error shape', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: '{"username":',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'invalid_json', message: 'The request body is not valid JSON' } });
  });
});

describe('login, refresh and logout', () => {
  it('logs in by username or email, case-insensitively', async () => {
    await registerUser(t.app, 'carol', 'carol-password');
    for (const login of ['carol', 'CAROL', 'carol@example.test', 'Carol@Example.test']) {
      const response = await post('/api/v1/auth/login', { login, password: 'carol-password' });
      expect(response.statusCode, login).toBe(200);
      expect(response.json().user.username).toBe('carol');
    }
  });

  it('gives the same answer for a wrong password and an unknown account', async () => {
    const wrong = await post('/api/v1/auth/login', { login: 'carol', password: 'nope-nope' });
    const unknown = await post('/api/v1/auth/login', { login: 'nobody-here', password: 'nope-nope' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('rotates refresh tokens and revokes the whole session when a spent one is replayed', async () => {
    const { refreshToken: first, accessToken } = await registerUser(t.app, 'dave');
    const rotated = await post('/api/v1/auth/refresh', { refreshToken: first });
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json().refreshToken as string;
    expect(second).not.toBe(first);

    const replay = await post('/api/v1/auth/refresh', { refreshToken: first });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('refresh_token_reused');

    // The thief's replay also kills the legitimate holder's newer token and live access tokens.
    const afterTheft = await post('/api/v1/auth/refresh', { refreshToken: second });
    expect(afterTheft.statusCode).toBe(401);
    expect(afterTheft.json().error.code).toBe('session_revoked');
    const me = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(accessToken) });
    expect(me.statusCode).toBe(401);
  });

  it('logout ends the session: its refresh token and access token stop working', async () => {
    const { refreshToken, accessToken } = await registerUser(t.app, 'erin');
    const logout = await post('/api/v1/auth/logout', { refreshToken });
    expect(logout.statusCode).toBe(204);
    expect((await post('/api/v1/auth/refresh', { refreshToken })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(accessToken) })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/logout', { refreshToken })).statusCode).toBe(204);
  });

  it('rejects a garbage refresh token', async () => {
    const response = await post('/api/v1/auth/refresh', { refreshToken: 'x'.repeat(43) });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_refresh_token');
  });
});

describe('access tokens', () => {
  it('are ES256 JWTs verifiable with the published JWKS', async () => {
    const { accessToken, user } = await registerUser(t.app);
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: t.config.publicUrl, audience: 'tube' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(user.id);
  });

  it.each([
    ['no header', {}, 'unauthorized'],
    ['not bearer', { authorization: 'Basic abc' }, 'invalid_token'],
    ['garbage', bearer('not.a.jwt'), 'invalid_token'],
  ])('refuses %s on a protected route', async (_name, headers, code) => {
    const response = await t.app.inject({ url: '/api/v1/users/me', headers });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe(code);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const { accessToken } = await registerUser(t.app);
    const [header, payload, signature] = accessToken.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    forged.role = 'admin';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    const response = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(tampered) });
    expect(response.statusCode).toBe(401);
  });

  it('refuses an expired token with token_expired', async () => {
    const { user } = await registerUser(t.app);
    const expired = await issueAccessToken(
      { userId: user.id, sessionId: crypto.randomUUID(), role: 'user' },
      t.services.auth.keys.signingKey,
      t.config.publicUrl,
      -60,
    );
    const response = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(expired) });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('token_expired');
  });
});

describe('sessions', () => {
  it('lists devices and signs one out', async () => {
    await registerUser(t.app, 'frank', 'frank-password');
    const phone = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'frank', password: 'frank-password' },
        headers: { 'user-agent': 'Phone/1.0' },
      })
    ).json();
    const laptop = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'frank', password: 'frank-password' },
        headers: { 'user-agent': 'Laptop/2.0' },
      })
    ).json();
    const list = await t.app.inject({ url: '/api/v1/auth/sessions', headers: bearer(laptop.accessToken) });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; userAgent: string; current: boolean }[];
    expect(items).toHaveLength(3);
    const phoneSession = items.find((s) => s.userAgent === 'Phone/1.0')!;
    expect(items.find((s) => s.current)?.userAgent).toBe('Laptop/2.0');

    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: bearer(laptop.accessToken) });
    expect(revoke.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(phone.accessToken) })).statusCode).toBe(401);
    expect((await post('/api/v1/auth/refresh', { refreshToken: phone.refreshToken })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(laptop.accessToken) })).statusCode).toBe(200);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: bearer(laptop.accessToken) });
    expect(again.statusCode).toBe(404);

    const everywhere = await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/sessions?keepCurrent=true', headers: bearer(laptop.accessToken) });
    expect(everywhere.statusCode).toBe(204);
    const remaining = (await t.app.inject({ url: '/api/v1/auth/sessions', headers: bearer(laptop.accessToken) })).json().items;
    expect(remaining.map((s: { userAgent: string }) => s.userAgent)).toEqual(['Laptop/2.0']);
  });

  it('cannot sign out somebody else’s session', async () => {
    const mallory = await registerUser(t.app);
    const victim = await registerUser(t.app);
    const victimSessions = (await t.app.inject({ url: '/api/v1/auth/sessions', headers: bearer(victim.accessToken) })).json().items;
    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${victimSessions[0].id}`, headers: bearer(mallory.accessToken) });
    expect(response.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(victim.accessToken) })).statusCode).toBe(200);
  });
});

describe('login rate limit', () => {
  it('answers 429 with Retry-After once an account has too many failures, even with the right password', async () => {
    await registerUser(t.app, 'grace', 'grace-password');
    for (let i = 0; i < 3; i++) expect((await post('/api/v1/auth/login', { login: 'grace', password: 'wrong-guess' })).statusCode).toBe(401);
    const limited = await post('/api/v1/auth/login', { login: 'GRACE', password: 'grace-password' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');
    // Other accounts are unaffected.
    await registerUser(t.app, 'heidi', 'heidi-password');
    expect((await post('/api/v1/auth/login', { login: 'heidi', password: 'heidi-password' })).statusCode).toBe(200);
  });

  it('counts in Redis, so every API process shares the limit', async () => {
    const grace = await t.infra.db.selectFrom('users').select('id').where('username', '=', 'grace').executeTakeFirstOrThrow();
    const keys = await t.infra.cache.hit(`ratelimit:login-account:user:${grace.id}`, 900, 0);
    expect(keys.count).toBe(3);
  });
});

describe('administrators', () => {
  it('are the users named in ADMIN_USERNAMES (case-insensitive) once they exist at a start; nobody else', async () => {
    const admin = await registerUser(t.app, 'root-admin');
    const user = await registerUser(t.app, 'plain-user');
    expect(admin.user).toMatchObject({ username: 'root-admin' });
    // Registering a listed name grants nothing (anyone could have registered it first); the next start does.
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(admin.accessToken) })).json().role).toBe('user');
    await t.services.auth.init();
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(admin.accessToken) })).json().role).toBe('admin');
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(user.accessToken) })).json().role).toBe('user');
    const reports = await t.app.inject({ url: '/api/v1/admin/reports', headers: bearer(user.accessToken) });
    expect(reports.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/admin/reports', headers: bearer(admin.accessToken) })).statusCode).toBe(200);
  });

  it('an existing account named later is promoted at the next start', async () => {
    await registerUser(t.app, 'other');
    await t.infra.db.updateTable('users').set({ role: 'user' }).where('username', '=', 'other').execute();
    await t.services.auth.init();
    const row = await t.infra.db.selectFrom('users').select('role').where('username', '=', 'other').executeTakeFirstOrThrow();
    expect(row.role).toBe('admin');
  });
});
