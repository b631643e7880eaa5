import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AuthUser } from './auth-user.ts';
import type { App } from './app-types.ts';
import { forbidden, unauthorized } from '../infra/http/errors.ts';

/**
 * Who may call a route. `required`: a signed-in user (`request.user`); `admin`: a signed-in administrator with a
 * current second factor (`request.user`); `optional`: anyone, a present token still has to be valid (`request.viewer`).
 */
export type RouteAuth = 'required' | 'optional' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Declared per route; the auth hook checks it before the handler runs and the OpenAPI document shows it. */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** Set once the bearer token has been checked: undefined = not checked yet, null = anonymous. */
    authUser: AuthUser | null | undefined;
    /** The signed-in user on routes declaring `config: { auth: 'required' | 'admin' }`. */
    readonly user: AuthUser;
    /** The signed-in user or null (anonymous) on routes declaring any `config.auth`. */
    readonly viewer: AuthUser | null;
  }
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthorized('Authorization header must be "Bearer <token>"', 'invalid_token');
  return match[1]!;
}

/** The signed-in user, or null for anonymous requests. A present but invalid token is still an error. */
export async function optionalUser(request: FastifyRequest): Promise<AuthUser | null> {
  if (request.authUser !== undefined) return request.authUser;
  const token = bearerToken(request);
  request.authUser = token ? await request.server.services.auth.authenticate(token) : null;
  return request.authUser;
}

/** For handlers that must check something before authentication (the tus endpoint); routes declare `config.auth`. */
export async function requireUser(request: FastifyRequest): Promise<AuthUser> {
  const user = await optionalUser(request);
  if (!user) throw unauthorized('Sign in to do this');
  return user;
}

async function requireAdmin(request: FastifyRequest): Promise<AuthUser> {
  const user = await requireUser(request);
  // The token's role claim may be up to one access-token lifetime old: grants and revocations count at once.
  if ((await request.server.services.auth.currentRole(user.id)) !== 'admin') throw forbidden('Only administrators can do this');
  await request.server.services.auth.assertAdminSecondFactor(user);
  return user;
}

const checks: Record<RouteAuth, (request: FastifyRequest) => Promise<unknown>> = { required: requireUser, optional: optionalUser, admin: requireAdmin };

function undeclared(request: FastifyRequest): Error {
  return new Error(`${request.method} ${request.routeOptions.url ?? request.url} reads the user but declares no config.auth`);
}

/**
 * Authentication as a route option: every route declaring `config: { auth }` gets a preHandler (after validation
 * and the write budgets, so a malformed request is a 400 before it is a 401) and the bearer scheme in its OpenAPI
 * entry. Install before any route is registered.
 */
export function installRouteAuth(app: App): void {
  app.decorateRequest('authUser', undefined);
  app.decorateRequest('user', {
    getter(this: FastifyRequest): AuthUser {
      if (this.authUser === undefined) throw undeclared(this);
      if (this.authUser === null) throw unauthorized('Sign in to do this');
      return this.authUser;
    },
  });
  app.decorateRequest('viewer', {
    getter(this: FastifyRequest): AuthUser | null {
      if (this.authUser === undefined) throw undeclared(this);
      return this.authUser;
    },
  });

  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth;
    if (!auth) return;
    const check = checks[auth];
    const hook: preHandlerAsyncHookHandler = async (request) => {
      await check(request);
    };
    // Optional authentication is described as "no scheme, or bearer".
    route.schema = { ...route.schema, security: auth === 'optional' ? [{}, { bearer: [] }] : [{ bearer: [] }] };
    route.preHandler = [hook, ...[route.preHandler ?? []].flat()];
  });
}

export function clientInfo(request: FastifyRequest) {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}
