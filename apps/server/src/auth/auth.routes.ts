import { Type } from 'typebox';
import { AuthResult, ErrorBody, IdParams, LoginBody, RefreshBody, RegisterBody, SessionList, TokenPair, User } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { clientInfo, requireUser } from '../http/auth-context.ts';
import { notFound } from '../infra/http/errors.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody };

export async function authRoutes(app: App): Promise<void> {
  const auth = app.services.auth;

  app.get('/.well-known/jwks.json', { schema: { tags: ['auth'], summary: 'Public keys that verify Tube access tokens' } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return auth.keys.publicKeySet;
  });

  app.post(
    '/api/v1/auth/register',
    { schema: { tags: ['auth'], summary: 'Create an account (and its default channel)', body: RegisterBody, response: { 201: AuthResult, ...errors } } },
    async (request, reply) => reply.code(201).send(await auth.register(request.body, clientInfo(request))),
  );

  app.post(
    '/api/v1/auth/login',
    { schema: { tags: ['auth'], summary: 'Sign in with username or email', body: LoginBody, response: { 200: AuthResult, ...errors } } },
    async (request) => auth.login(request.body, clientInfo(request)),
  );

  app.post(
    '/api/v1/auth/refresh',
    { schema: { tags: ['auth'], summary: 'Exchange a refresh token for a new pair (the old one is spent)', body: RefreshBody, response: { 200: TokenPair, ...errors } } },
    async (request) => auth.refresh(request.body.refreshToken),
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out the session a refresh token belongs to', body: RefreshBody, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      await auth.logout(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/users/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user', security: [{ bearer: [] }], response: { 200: User, 401: ErrorBody } } },
    async (request) => auth.me(await requireUser(request)),
  );

  app.get(
    '/api/v1/auth/sessions',
    { schema: { tags: ['auth'], summary: 'Signed-in devices', security: [{ bearer: [] }], response: { 200: SessionList, 401: ErrorBody } } },
    async (request) => ({ items: await auth.listSessions(await requireUser(request)) }),
  );

  app.delete(
    '/api/v1/auth/sessions/:id',
    { schema: { tags: ['auth'], summary: 'Sign out one device', security: [{ bearer: [] }], params: IdParams, response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      if (!(await auth.revokeSession(await requireUser(request), request.params.id))) throw notFound('No such active session');
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/auth/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere (optionally keeping this device)',
        security: [{ bearer: [] }],
        querystring: Type.Object({ keepCurrent: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 204: Type.Null(), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      await auth.revokeAllSessions(await requireUser(request), request.query.keepCurrent ?? false);
      return reply.code(204).send(null);
    },
  );
}
