import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';
import { getJson, setJson } from '../infra/cache/cache.ts';
import { hashRefreshToken } from './tokens.ts';

export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';
export const OIDC_START_PATH = '/api/v1/auth/oidc/start';
const FLOW_TTL_SECONDS = 600;
const EXCHANGE_TTL_SECONDS = 60;

interface PendingFlow {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  /** Bound to the browser that started the flow through a cookie, so a stranger's callback link signs nobody in. */
  browserBinding: string;
}

export class OidcLoginError extends Error {}

/** Only same-site paths: an open redirect would hand the one-time code to someone else's site. */
export function safeReturnPath(value: string | undefined): string {
  return value && /^\/(?![/\\])[^\s]*$/.test(value) ? value : '/';
}

/**
 * Sign-in through the configured OpenID Connect provider: authorization-code flow with PKCE (S256), state and nonce,
 * run by the server (the code verifier never reaches the browser). The callback ends with a one-time code in the URL
 * fragment that the web app exchanges for Tube's own tokens.
 */
export class OidcLogin {
  private configuration: Promise<oidc.Configuration> | null = null;
  readonly redirectUri: string;

  constructor(
    private readonly config: Pick<Config, 'AUTH_OIDC_ISSUER' | 'AUTH_OIDC_CLIENT_ID' | 'AUTH_OIDC_CLIENT_SECRET' | 'AUTH_OIDC_SCOPES' | 'publicUrl'>,
    private readonly cache: Cache,
  ) {
    this.redirectUri = `${config.publicUrl}${OIDC_CALLBACK_PATH}`;
  }

  get issuer(): string {
    return this.config.AUTH_OIDC_ISSUER!;
  }

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.issuer);
      const secret = this.config.AUTH_OIDC_CLIENT_SECRET;
      // An http:// issuer is only ever one an operator configured on purpose (a provider on the same host or a test).
      const execute = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
      return oidc.discovery(issuer, this.config.AUTH_OIDC_CLIENT_ID!, secret, secret ? oidc.ClientSecretPost(secret) : oidc.None(), { execute, timeout: 10 });
    })().catch((error: unknown) => {
      this.configuration = null;
      throw error;
    });
    return this.configuration;
  }

  /** The provider's authorization URL and the cookie value that binds the flow to this browser. */
  async start(returnTo: string | undefined): Promise<{ url: string; state: string; browserBinding: string }> {
    const configuration = await this.discover();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const browserBinding = randomBytes(24).toString('base64url');
    await setJson(
      this.cache,
      `oidc-flow:${state}`,
      { codeVerifier, nonce, returnTo: safeReturnPath(returnTo), browserBinding } satisfies PendingFlow,
      FLOW_TTL_SECONDS,
    );
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.config.AUTH_OIDC_SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, browserBinding };
  }

  /** Checks state, browser binding, PKCE and the ID token; returns the verified claims and where to go afterwards. */
  async finish(callbackUrl: URL, browserBinding: string | undefined): Promise<{ claims: Record<string, unknown> & { sub: string }; returnTo: string }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const flow = state ? await getJson<PendingFlow>(this.cache, `oidc-flow:${state}`) : null;
    if (!flow) throw new OidcLoginError('This sign-in took too long or was already used; please start again.');
    await this.cache.del(`oidc-flow:${state}`);
    if (!browserBinding || browserBinding !== flow.browserBinding)
      throw new OidcLoginError('This sign-in was started in another browser; please start again here.');
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) throw new OidcLoginError('The identity provider did not sign you in.');
    const configuration = await this.discover();
    // The callback URL as the provider saw it (behind a proxy the request URL may differ).
    const currentUrl = new URL(this.redirectUri);
    currentUrl.search = callbackUrl.search;
    const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new OidcLoginError('The identity provider sent no ID token.');
    let claims: Record<string, unknown> & { sub: string } = { ...idClaims };
    if (typeof claims.email !== 'string' && tokens.access_token) {
      const userInfo = await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub).catch(() => null);
      if (userInfo) claims = { ...userInfo, ...claims };
    }
    return { claims, returnTo: flow.returnTo };
  }

  /** A short-lived, single-use code the web app trades for tokens (kept out of server logs by living in the fragment). */
  async issueExchangeCode(userId: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.cache.set(`oidc-exchange:${hashRefreshToken(code)}`, userId, EXCHANGE_TTL_SECONDS);
    return code;
  }

  async redeemExchangeCode(code: string): Promise<string | null> {
    const key = `oidc-exchange:${hashRefreshToken(code)}`;
    const userId = await this.cache.get(key);
    // Of two requests with the same code only the first one wins.
    if (!userId || !(await this.cache.setIfAbsent(`${key}:spent`, '1', EXCHANGE_TTL_SECONDS))) return null;
    await this.cache.del(key);
    return userId;
  }
}
