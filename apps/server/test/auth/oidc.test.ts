import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';

/** A loopback OpenID Connect issuer: discovery document + JWKS, like Cognito's user-pool endpoints. */
async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'issuer-key-1', alg: 'RS256', use: 'sig' };
  let jwksRequests = 0;
  const server: Server = createServer((request, response) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }));
    } else if (request.url === '/keys') {
      jwksRequests++;
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, key: CryptoKey = privateKey, expiresIn = '5m') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'issuer-key-1' }).setIssuer(issuer).setIssuedAt().setExpirationTime(expiresIn).sign(key);
  const signWithoutExpiry = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'issuer-key-1' }).setIssuer(issuer).setIssuedAt().sign(privateKey);
  return { issuer, sign, signWithoutExpiry, server, jwksRequests: () => jwksRequests };
}

let issuer: Awaited<ReturnType<typeof startIssuer>>;
let t: TestApp;
beforeAll(async () => {
  issuer = await startIssuer();
  t = await startTestApp({ AUTH_OIDC_ISSUER: issuer.issuer, AUTH_OIDC_AUDIENCE: 'tube-web-client' });
});
afterAll(async () => {
  await t?.close();
  issuer?.server.close();
});

describe('external OIDC tokens (Cognito-compatible)', () => {
  it('accepts an ID token with the right audience and creates the local user on first use', async () => {
    const token = await issuer.sign({
      sub: 'cognito-sub-1',
      aud: 'tube-web-client',
      email: 'ivy@example.test',
      email_verified: true,
      'cognito:username': 'ivy',
    });
    const me = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'ivy', email: 'ivy@example.test', channel: { handle: 'ivy' } });

    const again = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(await issuer.sign({ sub: 'cognito-sub-1', aud: 'tube-web-client' })) });
    expect(again.json().id).toBe(me.json().id);
    const identities = await t.infra.db.selectFrom('external_identities').selectAll().execute();
    expect(identities).toHaveLength(1);
  });

  it('accepts a Cognito access token, which names the client in client_id instead of aud', async () => {
    const token = await issuer.sign({ sub: 'cognito-sub-2', client_id: 'tube-web-client', token_use: 'access', username: 'ivy' });
    const me = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    // "ivy" is taken by the first external user, so the second one gets a suffix instead of colliding.
    expect(me.json().username).toBe('ivy2');
  });

  it('refuses a token without an expiry (it would be valid forever)', async () => {
    const forever = await issuer.signWithoutExpiry({ sub: 'cognito-sub-4', aud: 'tube-web-client' });
    const response = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(forever) });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('invalid_token');
  });

  it('refuses a token for another audience, an expired one, and one signed by a different key', async () => {
    const otherAudience = await issuer.sign({ sub: 'cognito-sub-3', aud: 'someone-else' });
    const expired = await issuer.sign({ sub: 'cognito-sub-3', aud: 'tube-web-client' }, undefined, '-1m');
    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const forged = await issuer.sign({ sub: 'cognito-sub-3', aud: 'tube-web-client' }, strangerKey);
    for (const [token, code] of [
      [otherAudience, 'invalid_token'],
      [expired, 'token_expired'],
      [forged, 'invalid_token'],
    ] as const) {
      const response = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(token) });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe(code);
    }
    expect(await t.infra.db.selectFrom('external_identities').select('subject').where('subject', '=', 'cognito-sub-3').executeTakeFirst()).toBeUndefined();
  });

  it('fetched the issuer JWKS through discovery and cached it', () => {
    expect(issuer.jwksRequests()).toBeGreaterThanOrEqual(1);
    expect(issuer.jwksRequests()).toBeLessThanOrEqual(2);
  });

  it('still accepts Tube’s own tokens alongside', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { username: 'judy', email: 'judy@example.test', password: 'judy-password' },
    });
    const me = await t.app.inject({ url: '/api/v1/users/me', headers: bearer(response.json().accessToken) });
    expect(me.json().username).toBe('judy');
  });
});
