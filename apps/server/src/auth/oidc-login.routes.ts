import { Type } from 'typebox';
import { ErrorBody, LoginResult, OidcExchangeBody } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { clientInfo } from '../http/auth-context.ts';
import { unauthorized } from '../infra/http/errors.ts';
import { OIDC_CALLBACK_PATH, OIDC_START_PATH, OidcLoginError } from './oidc-login.ts';

const BINDING_COOKIE = 'tube_oidc';

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** Sign-in through the configured OpenID Connect provider (registered only when AUTH_OIDC_CLIENT_ID is set). */
export async function oidcLoginRoutes(app: App): Promise<void> {
  const login = app.services.oidcLogin;
  if (!login) return;
  const auth = app.services.auth;
  const { publicUrl } = app.infra.config;
  const secure = publicUrl.startsWith('https:') ? '; Secure' : '';

  app.get(
    OIDC_START_PATH,
    {
      schema: {
        tags: ['auth'],
        summary: 'Redirects to the identity provider to sign in',
        querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 500 })) }),
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      let flow: Awaited<ReturnType<typeof login.start>>;
      try {
        flow = await login.start(request.query.returnTo);
      } catch (error) {
        request.log.warn({ err: error }, 'identity provider unreachable');
        return reply.redirect(
          `${publicUrl}/signin?error=${encodeURIComponent('The identity provider cannot be reached right now; please try again later.')}`,
          302,
        );
      }
      reply.header('set-cookie', `${BINDING_COOKIE}=${flow.browserBinding}; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=600${secure}`);
      return reply.redirect(flow.url, 302);
    },
  );

  app.get(OIDC_CALLBACK_PATH, { schema: { tags: ['auth'], summary: 'Where the identity provider sends the browser back' } }, async (request, reply) => {
    reply.header('set-cookie', `${BINDING_COOKIE}=; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0${secure}`);
    reply.header('cache-control', 'no-store');
    try {
      const { claims, returnTo } = await login.finish(new URL(request.url, publicUrl), cookieValue(request.headers.cookie, BINDING_COOKIE));
      const user = await auth.findOrCreateExternalUser(login.issuer, claims.sub, claims);
      const code = await login.issueExchangeCode(user.id);
      return reply.redirect(`${publicUrl}/signin/callback?returnTo=${encodeURIComponent(returnTo)}#code=${code}`, 302);
    } catch (error) {
      request.log.warn({ err: error }, 'external sign-in failed');
      const message = error instanceof OidcLoginError ? error.message : 'Signing in with the identity provider did not work; please try again.';
      return reply.redirect(`${publicUrl}/signin?error=${encodeURIComponent(message)}`, 302);
    }
  });

  app.post(
    '/api/v1/auth/oidc/exchange',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade the one-time code from the callback for tokens (or a 2FA challenge)',
        body: OidcExchangeBody,
        response: { 200: LoginResult, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const userId = await login.redeemExchangeCode(request.body.code);
      if (!userId) throw unauthorized('This sign-in link has expired or was already used; please sign in again', 'invalid_code');
      return auth.passFirstFactor(userId, clientInfo(request));
    },
  );
}
