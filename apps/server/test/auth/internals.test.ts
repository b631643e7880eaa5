import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth.service.ts';
import { ACCESS_TOKEN_AUDIENCE } from '../../src/auth/tokens.ts';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/** What the server keeps to itself: metrics, tokens that never expire, administrator rights. */
const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../../bin/tube.mjs');
const METRICS_TOKEN = 'scrape-me-with-this-token';
let t: TestApp;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  t = await startTestApp({ METRICS_TOKEN, ADMIN_USERNAMES: 'chief' }, 'all', { database });
});
afterAll(async () => {
  await t?.close();
  await database?.drop();
});

describe('/metrics', () => {
  it('needs the METRICS_TOKEN bearer token when it is set', async () => {
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const wrong = await t.app.inject({ url: '/metrics', headers: bearer('not-the-token-at-all') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toMatch(/METRICS_TOKEN/);
    const right = await t.app.inject({ url: '/metrics', headers: bearer(METRICS_TOKEN) });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('process_cpu_seconds_total');
  });

  it('is not served in production without a token, and stays open in development', async () => {
    const production = await startTestApp({ NODE_ENV: 'production', MEDIA_DIR: t.config.mediaDir }, 'api', { database });
    try {
      const response = await production.app.inject({ url: '/metrics' });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain('process_cpu_seconds_total');
    } finally {
      await production.close();
    }
    const development = await startTestApp({ NODE_ENV: 'development', MEDIA_DIR: t.config.mediaDir }, 'worker', { database });
    try {
      expect((await development.app.inject({ url: '/metrics' })).statusCode).toBe(200);
    } finally {
      await development.close();
    }
  });
});

describe('access tokens', () => {
  it('refuses a correctly signed token without an expiry', async () => {
    const user = await registerUser(t.app);
    const claims = JSON.parse(Buffer.from(user.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string; role: string };
    const key = t.services.auth.keys.signingKey;
    const sign = (withExpiry: boolean) => {
      const jwt = new SignJWT({ sid: claims.sid, role: claims.role })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
        .setSubject(user.user.id)
        .setIssuer(t.config.publicUrl)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt();
      return (withExpiry ? jwt.setExpirationTime('5m') : jwt).sign(key.privateKey);
    };
    // The same token with an expiry works, so only the missing `exp` is refused.
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(await sign(true)) })).statusCode).toBe(200);
    const forever = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(await sign(false)) });
    expect(forever.statusCode).toBe(401);
    expect(forever.json().error.code).toBe('invalid_token');
  });
});

describe('administrators', () => {
  const reportsAs = (token: string) => t.app.inject({ url: '/api/v1/admin/reports', headers: bearer(token) });

  it('cannot be claimed by registering a name listed in ADMIN_USERNAMES', async () => {
    const claimer = await registerUser(t.app, 'chief');
    expect(claimer.user).toMatchObject({ username: 'chief' });
    expect((await reportsAs(claimer.accessToken)).statusCode).toBe(403);
    // The operator meant an account that exists when the server starts: the next start promotes it.
    await t.services.auth.init();
    expect((await reportsAs(claimer.accessToken)).statusCode).toBe(200);
  });

  it('are demoted when removed from ADMIN_USERNAMES, at once, whatever their token says', async () => {
    const chief = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'chief', password: 'correct horse' } });
    const adminToken = chief.json<{ accessToken: string }>().accessToken;
    expect(JSON.parse(Buffer.from(adminToken.split('.')[1]!, 'base64url').toString()).role).toBe('admin');
    // Administrators see (and may manage) everyone's videos, private ones included.
    const stranger = await registerUser(t.app);
    const privateVideo = await insertReadyVideo(t, stranger.user.id, { visibility: 'private' });
    expect((await t.app.inject({ url: `/api/v1/videos/${privateVideo}`, headers: bearer(adminToken) })).statusCode).toBe(200);
    const restarted = new AuthService(
      t.repositories.auth,
      t.infra.db,
      t.infra.cache,
      { ...t.config, ADMIN_USERNAMES: 'someone-else', adminUsernames: ['someone-else'] },
      t.services.accountEmails,
    );
    expect(await restarted.init()).toEqual(['someone-else']);
    expect((await reportsAs(adminToken)).statusCode).toBe(403);
    // Not only the admin routes: every power the "admin" claim gave is gone while the token is still valid.
    expect((await t.app.inject({ url: `/api/v1/videos/${privateVideo}`, headers: bearer(adminToken) })).statusCode).toBe(404);
  });

  it('are granted and revoked with `tube admin` against the database', async () => {
    const deputy = await registerUser(t.app, 'deputy');
    const env = { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    const granted = await run(process.execPath, [cli, 'admin', 'grant', 'Deputy'], { env });
    expect(granted.stdout).toContain('Deputy is now an administrator');
    expect((await reportsAs(deputy.accessToken)).statusCode).toBe(200);
    expect((await run(process.execPath, [cli, 'admin', 'list'], { env })).stdout.split('\n')).toContain('deputy');

    await run(process.execPath, [cli, 'admin', 'revoke', 'deputy'], { env });
    expect((await reportsAs(deputy.accessToken)).statusCode).toBe(403);

    const unknown = await run(process.execPath, [cli, 'admin', 'grant', 'nobody-here'], { env }).catch((error: { code: number; stderr: string }) => error);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('No account is called "nobody-here"') });
  });
});
