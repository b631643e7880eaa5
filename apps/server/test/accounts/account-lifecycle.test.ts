/** Deletion with a grace period, and the guard rails of sign-in through the identity provider. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnPath } from '../../src/auth/oidc-login.ts';
import { currentTotpCode } from '../../src/auth/two-factor.ts';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({
    ACCOUNT_DELETION_GRACE_DAYS: '7',
    USERNAME_CHANGES: 'false',
    // Nothing listens there: the start of a sign-in finds the provider unreachable; the other requests fail earlier.
    AUTH_OIDC_ISSUER: 'http://127.0.0.1:9/unreachable',
    AUTH_OIDC_CLIENT_ID: 'tube',
  });
});

afterAll(async () => {
  await t?.close();
});

const login = (name: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: name, password: 'correct horse' } });

describe('account deletion with a grace period', () => {
  it('signs out, keeps everything until the date, and can be cancelled by signing in again', async () => {
    const user = await registerUser(t.app, 'hesitant');
    const deleted = await t.app.inject({ method: 'DELETE', url: '/api/v1/account', headers: bearer(user.accessToken), payload: { password: 'correct horse' } });
    expect(deleted.statusCode).toBe(202);
    const at = new Date(deleted.json().deletionScheduledAt).getTime();
    expect(at - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(user.accessToken) })).statusCode).toBe(401);

    // The job may run early (a retry, a clock step): it checks the date itself and leaves the account alone.
    expect(await t.services.accounts.purgeAccount(user.user.id)).toBe('skipped');

    const again = await login('hesitant');
    expect(again.statusCode).toBe(200);
    const headers = bearer(again.json().accessToken);
    expect((await t.app.inject({ url: '/api/v1/account', headers })).json().deletionScheduledAt).toBe(new Date(at).toISOString());
    const kept = await t.app.inject({ method: 'POST', url: '/api/v1/account/deletion/cancel', headers });
    expect(kept.statusCode).toBe(200);
    expect(kept.json().deletionScheduledAt).toBeNull();
    expect(await t.services.accounts.purgeAccount(user.user.id)).toBe('skipped');
    expect((await t.app.inject({ url: '/api/v1/users/me', headers })).statusCode).toBe(200);
  });

  it('deletes once the date has passed (by the hourly sweep too), and sign-in is refused from then on', async () => {
    const user = await registerUser(t.app, 'decided');
    await t.app.inject({ method: 'DELETE', url: '/api/v1/account', headers: bearer(user.accessToken), payload: { password: 'correct horse' } });
    await t.infra.db
      .updateTable('users')
      .set({ deletion_scheduled_at: new Date(Date.now() - 1000) })
      .where('id', '=', user.user.id)
      .execute();
    const refused = await login('decided');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('account_deleted');
    // The hourly sweep finds it even if the delayed job were lost.
    expect(await t.services.accounts.purgeDueAccounts()).toBe(1);
    expect(await t.infra.db.selectFrom('users').select('id').where('id', '=', user.user.id).executeTakeFirst()).toBeUndefined();
    expect(await t.services.accounts.purgeAccount(user.user.id)).toBe('skipped');
  });

  it('refuses username changes when USERNAME_CHANGES is off', async () => {
    const user = await registerUser(t.app, 'fixedname');
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/account/username',
      headers: bearer(user.accessToken),
      payload: { username: 'othername' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('username_changes_disabled');
  });
});

describe('sign-in through the identity provider', () => {
  it('advertises the provider to the sign-in page', async () => {
    const options = await t.app.inject({ url: '/api/v1/auth/options' });
    expect(options.json()).toMatchObject({
      externalProvider: { name: 'your organisation', startUrl: '/api/v1/auth/oidc/start' },
      usernameChanges: false,
      deletionGraceDays: 7,
    });
  });

  it('sends people back to the sign-in page with a reason when the provider cannot be reached', async () => {
    const response = await t.app.inject({ url: '/api/v1/auth/oidc/start?returnTo=/studio' });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location as string);
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('error')).toMatch(/cannot be reached/);
  });

  it('sends a callback with an unknown or replayed state back to the sign-in page with a reason', async () => {
    const response = await t.app.inject({ url: '/api/v1/auth/oidc/callback?code=abc&state=forged', headers: { cookie: 'tube_oidc=whatever' } });
    expect(response.statusCode).toBe(302);
    const location = new URL(response.headers.location as string);
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('error')).toMatch(/start again/);
  });

  it('refuses a callback from a browser that did not start the flow', async () => {
    await t.infra.cache.set(
      'oidc-flow:started-elsewhere',
      JSON.stringify({ codeVerifier: 'v', nonce: 'n', returnTo: '/', browserBinding: 'the-real-browser' }),
      60,
    );
    const response = await t.app.inject({ url: '/api/v1/auth/oidc/callback?code=abc&state=started-elsewhere', headers: { cookie: 'tube_oidc=an-attacker' } });
    expect(new URL(response.headers.location as string).searchParams.get('error')).toMatch(/another browser/);
  });

  it('trades a one-time code once only', async () => {
    const user = await registerUser(t.app, 'external');
    const code = await t.services.oidcLogin!.issueExchangeCode(user.user.id);
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/exchange', payload: { code } });
    expect(first.statusCode).toBe(200);
    expect(first.json().user.username).toBe('external');
    const second = await t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/exchange', payload: { code } });
    expect(second.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/exchange', payload: { code: 'x'.repeat(43) } })).statusCode).toBe(401);
  });

  it('lets an account without a password set one only from a recent sign-in, not with any access token', async () => {
    const user = await registerUser(t.app, 'nopassword');
    // As the identity provider creates them: no local password.
    await t.infra.db.updateTable('users').set({ password_hash: null }).where('id', '=', user.user.id).execute();
    // The session the registration made is old by now (as if its access token had been stolen and kept).
    await sql`UPDATE sessions SET created_at = now() - interval '1 hour' WHERE user_id = ${user.user.id}`.execute(t.infra.db);
    const code = await t.services.oidcLogin!.issueExchangeCode(user.user.id);
    const signedIn = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/exchange', payload: { code } })).json<{ accessToken: string }>();
    const setPassword = (token: string, newPassword: string) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/account/password', headers: bearer(token), payload: { newPassword } });

    const stale = await setPassword(user.accessToken, 'a password set by a thief');
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error).toMatchObject({ code: 'sign_in_again', message: expect.stringMatching(/sign in again/) });

    const fresh = await setPassword(signedIn.accessToken, 'a password of my own');
    expect(fresh.statusCode).toBe(204);
    expect((await login('nopassword')).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'nopassword', password: 'a password of my own' } })).statusCode,
    ).toBe(200);
  });

  it('still asks for the second factor of an account that has one', async () => {
    const user = await registerUser(t.app, 'external2fa');
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/v1/account/two-factor/setup', headers: bearer(user.accessToken) })).json<{
      secret: string;
    }>();
    const enabled = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/two-factor/enable',
      headers: bearer(user.accessToken),
      payload: { code: currentTotpCode(secret) },
    });
    expect(enabled.statusCode).toBe(200);
    const code = await t.services.oidcLogin!.issueExchangeCode(user.user.id);
    const exchanged = await t.app.inject({ method: 'POST', url: '/api/v1/auth/oidc/exchange', payload: { code } });
    expect(exchanged.statusCode).toBe(200);
    expect(exchanged.json()).toMatchObject({ twoFactorRequired: true });
    expect(exchanged.json().accessToken).toBeUndefined();
  });

  it('only ever returns to a path on this site', () => {
    expect(safeReturnPath('/watch/abc?t=3')).toBe('/watch/abc?t=3');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('/\\evil.example')).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath(undefined)).toBe('/');
  });
});
