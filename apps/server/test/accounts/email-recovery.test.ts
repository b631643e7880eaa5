/**
 * Email verification and password reset through a real SMTP server on loopback: the links in the messages it
 * receives are what the tests follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts';

let smtp: TestSmtpServer;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Tube <tube@example.test>', EMAIL_VERIFICATION: 'required', ACCOUNT_MAIL_RATE_LIMIT: '3' });
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const register = (username: string, password = 'correct horse') =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { username, email: `${username}@example.test`, password } });
const login = (login: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login, password } });

/** Registers and confirms the address by following the emailed link. */
async function verifiedUser(username: string): Promise<void> {
  expect((await register(username)).statusCode).toBe(202);
  const { token } = linkIn(await smtp.waitForMail(`${username}@example.test`, /Confirm/), '/verify-email');
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } })).statusCode).toBe(204);
}

describe('email verification (EMAIL_VERIFICATION=required)', () => {
  it('gives no session until the emailed link is followed, and the link works once', async () => {
    const registered = await register('verifyme');
    expect(registered.statusCode).toBe(202);
    expect(registered.json()).toEqual({ verificationRequired: true, email: 'verifyme@example.test' });

    const refused = await login('verifyme', 'correct horse');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('email_unverified');

    const mail = await smtp.waitForMail('verifyme@example.test', /Confirm your email/);
    expect(mail.from).toBe('tube@example.test');
    const { url, token } = linkIn(mail, '/verify-email');
    expect(url.startsWith(`${t.config.publicUrl}/verify-email?token=`)).toBe(true);

    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } })).statusCode).toBe(204);
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('invalid_token');

    const signedIn = await login('verifyme', 'correct horse');
    expect(signedIn.statusCode).toBe(200);
    const status = await t.app.inject({ url: '/api/v1/account', headers: bearer(signedIn.json().accessToken) });
    expect(status.json()).toMatchObject({ email: 'verifyme@example.test', emailVerified: true, twoFactorEnabled: false });
  });

  it('resends a link with the same answer for known and unknown addresses', async () => {
    await register('resender');
    await smtp.waitForMail('resender@example.test');
    const known = await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email/resend', payload: { email: 'resender@example.test' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email/resend', payload: { email: 'nobody@example.test' } });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    await t.services.accountEmails.flush();
    expect(smtp.mailTo('resender@example.test')).toHaveLength(2);
    expect(smtp.mailTo('nobody@example.test')).toHaveLength(0);
    // Only the newest link works.
    const [first, second] = smtp.mailTo('resender@example.test').map((m) => linkIn(m, '/verify-email').token);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token: first } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token: second } })).statusCode).toBe(204);
  });
});

describe('password reset', () => {
  it('works once and only once, signs out every session, and the old password stops working', async () => {
    await verifiedUser('forgetful');
    const session = (await login('forgetful', 'correct horse')).json<{ refreshToken: string; accessToken: string }>();

    const asked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'FORGETFUL@example.test' } });
    expect(asked.statusCode).toBe(202);
    const mail = await smtp.waitForMail('forgetful@example.test', /Reset your Tube password/);
    const { token } = linkIn(mail, '/reset-password');
    expect(mail.text).not.toContain('correct horse');

    const reset = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'new battery staple' } });
    expect(reset.statusCode).toBe(204);
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'attacker password' } });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.code).toBe('invalid_token');

    expect((await login('forgetful', 'correct horse')).statusCode).toBe(401);
    expect((await login('forgetful', 'attacker password')).statusCode).toBe(401);
    expect((await login('forgetful', 'new battery staple')).statusCode).toBe(200);
    // The session from before the reset is gone, refresh token and access token alike.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(session.accessToken) })).statusCode).toBe(401);
    // Only a hash of the token is stored.
    const stored = await t.infra.db.selectFrom('account_tokens').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
  });

  it('answers the same for unknown addresses and sends nothing', async () => {
    await verifiedUser('known');
    const known = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'known@example.test' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'stranger@example.test' } });
    expect([known.statusCode, unknown.statusCode]).toEqual([202, 202]);
    expect(unknown.body).toBe(known.body);
    await t.services.accountEmails.flush();
    expect(smtp.mailTo('stranger@example.test')).toHaveLength(0);
    expect(smtp.mailTo('known@example.test').filter((m) => /Reset/.test(m.subject))).toHaveLength(1);
  });

  it('refuses an expired link', async () => {
    await verifiedUser('slowpoke');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'slowpoke@example.test' } });
    const { token } = linkIn(await smtp.waitForMail('slowpoke@example.test', /Reset/), '/reset-password');
    await t.infra.db
      .updateTable('account_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('purpose', '=', 'reset_password')
      .execute();
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, password: 'new battery staple' } });
    expect(response.statusCode).toBe(400);
    expect((await login('slowpoke', 'correct horse')).statusCode).toBe(200);
  });

  it('limits emails per address quietly and per IP with a 429', async () => {
    await verifiedUser('popular');
    for (let i = 0; i < 5; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        payload: { email: 'popular@example.test' },
        remoteAddress: '10.0.0.7',
      });
      expect(response.statusCode).toBe(202);
    }
    await t.services.accountEmails.flush();
    expect(smtp.mailTo('popular@example.test').filter((m) => /Reset/.test(m.subject))).toHaveLength(3);

    let last = 0;
    for (let i = 0; i < 15 && last !== 429; i++) {
      last = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: `n${i}@example.test` }, remoteAddress: '10.0.0.8' }))
        .statusCode;
    }
    expect(last).toBe(429);
  });

  it('refuses malformed input with a readable 400', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token: 'short', password: 'x' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
  });
});
