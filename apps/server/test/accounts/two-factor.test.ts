/** Two-factor authentication: TOTP enrolment with a QR code, the login challenge, recovery codes, limits, admins. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotpCode } from '../../src/auth/two-factor.ts';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ TWO_FACTOR_RATE_LIMIT: '5', TWO_FACTOR_REQUIRED_FOR_ADMINS: 'true', ADMIN_USERNAMES: 'boss' });
});

afterAll(async () => {
  await t?.close();
});

const login = (login: string, password = 'correct horse') => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login, password } });
const secondStep = (challengeToken: string, code: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login/two-factor', payload: { challengeToken, code } });

/** A code for the step after `offsetSteps`, so each use in a test is a fresh one (codes work once). */
const codeAt = (secret: string, offsetSteps: number) => currentTotpCode(secret, Date.now() + offsetSteps * 30_000);

async function enrol(token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await t.app.inject({ method: 'POST', url: '/api/v1/account/two-factor/setup', headers: bearer(token) });
  expect(setup.statusCode).toBe(200);
  const { secret, otpauthUri, qrCodeSvg } = setup.json<{ secret: string; otpauthUri: string; qrCodeSvg: string }>();
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Tube:.+\?.*secret=/);
  expect(otpauthUri).toContain(`secret=${secret}`);
  expect(qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/account/two-factor/enable', headers: bearer(token), payload: { code: '000000' } });
  expect(wrong.statusCode).toBe(400);
  const enabled = await t.app.inject({
    method: 'POST',
    url: '/api/v1/account/two-factor/enable',
    headers: bearer(token),
    payload: { code: codeAt(secret, -1) },
  });
  expect(enabled.statusCode).toBe(200);
  return { secret, recoveryCodes: enabled.json<{ codes: string[] }>().codes };
}

describe('two-factor authentication', () => {
  it('blocks a login without the code, accepts the current code once, and recovery codes once each', async () => {
    const user = await registerUser(t.app, 'careful');
    const { secret, recoveryCodes } = await enrol(user.accessToken);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    const first = await login('careful');
    expect(first.statusCode).toBe(200);
    const challenge = first.json<{ twoFactorRequired: boolean; challengeToken: string; accessToken?: string }>();
    expect(challenge.twoFactorRequired).toBe(true);
    expect(challenge.accessToken).toBeUndefined();

    const wrong = await secondStep(challenge.challengeToken, '123456');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_two_factor_code');

    const code = codeAt(secret, 0);
    const passed = await secondStep(challenge.challengeToken, code);
    expect(passed.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: bearer(passed.json().accessToken) })).json().username).toBe('careful');

    // The challenge is spent, and the same code does not work for a new challenge either.
    expect((await secondStep(challenge.challengeToken, code)).statusCode).toBe(401);
    const again = (await login('careful')).json<{ challengeToken: string }>();
    expect((await secondStep(again.challengeToken, code)).statusCode).toBe(401);

    const recovered = await secondStep(again.challengeToken, recoveryCodes[0]!.toUpperCase());
    expect(recovered.statusCode).toBe(200);
    const third = (await login('careful')).json<{ challengeToken: string }>();
    expect((await secondStep(third.challengeToken, recoveryCodes[0]!)).statusCode).toBe(401);
    const status = await t.app.inject({ url: '/api/v1/account', headers: bearer(recovered.json().accessToken) });
    expect(status.json()).toMatchObject({ twoFactorEnabled: true, recoveryCodesLeft: 9 });
    // Only hashes of recovery codes are stored.
    const stored = await t.infra.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.user.id).execute();
    expect(stored.map((row) => row.code_hash)).not.toContain(recoveryCodes[1]);
  });

  it('answers 429 after too many wrong codes, even for the right one', async () => {
    const user = await registerUser(t.app, 'guessed');
    const { secret } = await enrol(user.accessToken);
    const { challengeToken } = (await login('guessed')).json<{ challengeToken: string }>();
    // Enrolment's wrong code counted too: 1 + 4 = the limit of 5.
    for (let i = 0; i < 4; i++) expect((await secondStep(challengeToken, String(100000 + i))).statusCode).toBe(401);
    const limited = await secondStep(challengeToken, codeAt(secret, 1));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('turns off only with a valid code', async () => {
    const user = await registerUser(t.app, 'undecided');
    const { secret } = await enrol(user.accessToken);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/two-factor/disable',
      headers: bearer(user.accessToken),
      payload: { code: '999999' },
    });
    expect(refused.statusCode).toBe(403);
    const disabled = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/two-factor/disable',
      headers: bearer(user.accessToken),
      payload: { code: codeAt(secret, 0) },
    });
    expect(disabled.statusCode).toBe(204);
    const plain = await login('undecided');
    expect(plain.json().accessToken).toBeDefined();
  });

  it('with TWO_FACTOR_REQUIRED_FOR_ADMINS, an administrator can moderate only after turning it on', async () => {
    const admin = await registerUser(t.app, 'boss');
    // ADMIN_USERNAMES applies at start to accounts that exist: as after a restart.
    await t.services.auth.init();
    const before = await t.app.inject({ url: '/api/v1/admin/reports', headers: bearer(admin.accessToken) });
    expect(before.statusCode).toBe(403);
    expect(before.json().error.code).toBe('two_factor_required');
    await enrol(admin.accessToken);
    const after = await t.app.inject({ url: '/api/v1/admin/reports', headers: bearer(admin.accessToken) });
    expect(after.statusCode).toBe(200);
  });
});
