import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../auth/auth.service.ts';
import { forbidden, unauthorized } from '../infra/http/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the bearer token has been checked: undefined = not checked yet, null = anonymous. */
    authUser: AuthUser | null | undefined;
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

export async function requireUser(request: FastifyRequest): Promise<AuthUser> {
  const user = await optionalUser(request);
  if (!user) throw unauthorized('Sign in to do this');
  return user;
}

export async function requireAdmin(request: FastifyRequest): Promise<AuthUser> {
  const user = await requireUser(request);
  if (user.role !== 'admin') throw forbidden('Only administrators can do this');
  return user;
}

export function clientInfo(request: FastifyRequest) {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}
