import { Type } from 'typebox';
import {
  AuthResult,
  ErrorBody,
  IdParams,
  LoginBody,
  LoginResult,
  RefreshBody,
  RegisterBody,
  SessionList,
  TokenPair,
  TwoFactorLoginBody,
  User,
  VerificationPending,
} from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { clientInfo } from '../http/auth-context.ts';
import { notFound } from '../infra/http/errors.ts';

const errors = errorResponses(400, 401, 409, 429);

export async function authRoutes(app: App): Promise<void> {
  const auth = app.services.auth;

  app.get('/.well-known/jwks.json', { schema: { tags: ['auth'], summary: 'Public keys that verify Tube access tokens' } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return auth.keys.publicKeySet;
  });

  app.post(
    '/api/v1/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account (and its default channel); 202 without a session when the email must be confirmed first',
        body: RegisterBody,
        response: { 201: AuthResult, 202: VerificationPending, ...errors },
      },
    },
    async (request, reply) => {
      const result = await auth.register(request.body, clientInfo(request));
      return 'verificationRequired' in result ? reply.code(202).send(result) : reply.code(201).send(result);
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username or email (a challenge instead of tokens when 2FA is on)',
        body: LoginBody,
        response: { 200: LoginResult, ...errors, 403: ErrorBody },
      },
    },
    async (request) => auth.login(request.body, clientInfo(request)),
  );

  app.post(
    '/api/v1/auth/login/two-factor',
    {
      schema: {
        tags: ['auth'],
        summary: 'Finish a sign-in with an authenticator or recovery code',
        body: TwoFactorLoginBody,
        response: { 200: AuthResult, ...errors },
      },
    },
    async (request) => auth.completeTwoFactor(request.body, clientInfo(request)),
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new pair (the old one is spent)',
        body: RefreshBody,
        response: { 200: TokenPair, ...errors },
      },
    },
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
    { config: { auth: 'required' }, schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: User, 401: ErrorBody } } },
    async (request) => auth.me(request.user),
  );

  app.get(
    '/api/v1/auth/sessions',
    { config: { auth: 'required' }, schema: { tags: ['auth'], summary: 'Signed-in devices', response: { 200: SessionList, 401: ErrorBody } } },
    async (request) => ({ items: await auth.listSessions(request.user) }),
  );

  app.delete(
    '/api/v1/auth/sessions/:id',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out one device',
        params: IdParams,
        response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await auth.revokeSession(request.user, request.params.id))) throw notFound('No such active session');
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/auth/sessions',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere (optionally keeping this device)',
        querystring: Type.Object({ keepCurrent: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 204: Type.Null(), 401: ErrorBody },
      },
    },
    async (request, reply) => {
      await auth.revokeAllSessions(request.user, request.query.keepCurrent ?? false);
      return reply.code(204).send(null);
    },
  );
}
