import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/**
 * Verifies bearer tokens from an external OpenID Connect issuer (AWS Cognito included) against its JWKS.
 * The JWKS address comes from the issuer's discovery document, falling back to `<issuer>/.well-known/jwks.json`.
 */
export class OidcVerifier {
  private keys: Promise<JWTVerifyGetKey> | null = null;

  constructor(
    readonly issuer: string,
    private readonly audience: string | undefined,
  ) {}

  private resolveKeys(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const base = this.issuer.replace(/\/+$/, '');
      let jwksUri = `${base}/.well-known/jwks.json`;
      try {
        const response = await fetch(`${base}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
        if (response.ok) {
          const discovery = (await response.json()) as { jwks_uri?: unknown };
          if (typeof discovery.jwks_uri === 'string') jwksUri = discovery.jwks_uri;
        }
      } catch {
        // Discovery is optional; the conventional JWKS path is tried.
      }
      return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    })().catch((error: unknown) => {
      this.keys = null;
      throw error;
    });
    return this.keys;
  }

  /** Returns the verified claims. Cognito access tokens carry `client_id` instead of `aud`; both are accepted. */
  async verify(token: string): Promise<JWTPayload & { sub: string }> {
    const { payload } = await jwtVerify(token, await this.resolveKeys(), {
      issuer: this.issuer,
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'EdDSA'],
      // An external token without `exp` would be valid forever.
      requiredClaims: ['exp'],
    });
    if (this.audience) {
      const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.includes(this.audience) && payload.client_id !== this.audience) throw new Error('audience mismatch');
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new Error('token has no subject');
    return payload as JWTPayload & { sub: string };
  }
}

/** A local username from the external claims: preferred_username, cognito:username, email's local part, or sub. */
export function usernameFromClaims(claims: JWTPayload): string {
  const candidates = [
    claims.preferred_username,
    claims['cognito:username'],
    claims.username,
    typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined,
    claims.sub,
  ];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const cleaned = candidate
      .replace(/[^A-Za-z0-9_.-]/g, '')
      .replace(/^[.-]+/, '')
      .slice(0, 24);
    if (cleaned.length >= 3) return cleaned;
  }
  return 'user';
}
