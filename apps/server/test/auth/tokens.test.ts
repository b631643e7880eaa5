import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashRefreshToken, InvalidTokenError, issueAccessToken, newRefreshToken, verifyAccessToken } from '../../src/auth/tokens.ts';
import type { ActiveSigningKey } from '../../src/auth/signing-keys.ts';

const ISSUER = 'https://tube.example';
let key: ActiveSigningKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  key = { kid: 'test-key', privateKey: pair.privateKey };
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'ES256' }] });
});

async function rejection(token: string, issuer = ISSUER): Promise<InvalidTokenError> {
  const error = await verifyAccessToken(token, keys, issuer).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return error as InvalidTokenError;
}

describe('access tokens', () => {
  it('round-trip their claims', async () => {
    const token = await issueAccessToken({ userId: 'u1', sessionId: 's1', role: 'admin' }, key, ISSUER, 60);
    expect(await verifyAccessToken(token, keys, ISSUER)).toEqual({ userId: 'u1', sessionId: 's1', role: 'admin' });
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'ES256', kid: 'test-key', typ: 'at+jwt' });
  });

  it('expire', async () => {
    const token = await issueAccessToken({ userId: 'u1', sessionId: 's1', role: 'user' }, key, ISSUER, -1);
    expect((await rejection(token)).code).toBe('token_expired');
  });

  it('are bound to the issuer', async () => {
    const token = await issueAccessToken({ userId: 'u1', sessionId: 's1', role: 'user' }, key, ISSUER, 60);
    expect((await rejection(token, 'https://elsewhere.example')).code).toBe('invalid_token');
  });

  it('refuse alg "none"', async () => {
    const unsigned = new UnsecuredJWT({ sid: 's1', role: 'admin' }).setSubject('u1').setIssuer(ISSUER).setAudience('tube').setExpirationTime('1h').encode();
    expect((await rejection(unsigned)).code).toBe('invalid_token');
  });

  it('refuse HMAC tokens even if the "secret" is the public key (algorithm confusion)', async () => {
    const hmac = await new SignJWT({ sid: 's1', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-key', typ: 'at+jwt' })
      .setSubject('u1')
      .setIssuer(ISSUER)
      .setAudience('tube')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await rejection(hmac)).code).toBe('invalid_token');
  });

  it('refuse tokens signed by another key with the same kid', async () => {
    const other = await generateKeyPair('ES256');
    const forged = await issueAccessToken({ userId: 'u1', sessionId: 's1', role: 'admin' }, { kid: 'test-key', privateKey: other.privateKey }, ISSUER, 60);
    expect((await rejection(forged)).code).toBe('invalid_token');
  });

  it('refuse tokens without a session claim', async () => {
    const token = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key', typ: 'at+jwt' })
      .setSubject('u1')
      .setIssuer(ISSUER)
      .setAudience('tube')
      .setExpirationTime('1h')
      .sign(key.privateKey);
    expect((await rejection(token)).message).toBe('Access token is missing claims');
  });
});

describe('refresh tokens', () => {
  it('are 256 random bits, stored only as a SHA-256', () => {
    const tokens = new Set(Array.from({ length: 100 }, newRefreshToken));
    expect(tokens.size).toBe(100);
    const token = [...tokens][0]!;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
    expect(hashRefreshToken(token)).not.toContain(token);
    expect(Buffer.from(hashRefreshToken(token), 'base64url')).toHaveLength(32);
  });
});
