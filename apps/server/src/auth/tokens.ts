import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, type ActiveSigningKey } from './signing-keys.ts';
import type { JWTVerifyGetKey } from 'jose';

export const ACCESS_TOKEN_AUDIENCE = 'tube';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  role: 'user' | 'admin';
}

export async function issueAccessToken(claims: AccessClaims, key: ActiveSigningKey, issuer: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ sid: claims.sessionId, role: claims.role })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
    .setSubject(claims.userId)
    .setIssuer(issuer)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key.privateKey);
}

export class InvalidTokenError extends Error {
  constructor(
    readonly code: 'token_expired' | 'invalid_token',
    message: string,
  ) {
    super(message);
  }
}

/** Verifies signature (only our algorithm: `alg: none` and HMAC are refused), issuer, audience and expiry (required). */
export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey, issuer: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer,
      audience: ACCESS_TOKEN_AUDIENCE,
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      typ: 'at+jwt',
      // jose checks `exp` only when present; a token without one would never expire.
      requiredClaims: ['exp'],
    });
    const role = payload.role === 'admin' ? 'admin' : 'user';
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new InvalidTokenError('invalid_token', 'Access token is missing claims');
    return { userId: payload.sub, sessionId: payload.sid, role };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError('token_expired', 'Access token has expired');
    throw new InvalidTokenError('invalid_token', 'Access token is invalid');
  }
}

/** Opaque refresh tokens: 256 random bits; only their SHA-256 is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
