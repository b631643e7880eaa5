import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * Which other origins may call the API from a browser (CORS_ORIGINS): none by default (the web app is served by
 * the API itself, so it is same-origin), a list of exact origins, or `*` for any. Requests carry bearer tokens,
 * never cookies, so credentials are never allowed. Media (`/media/`) sets its own `*` for players on any page.
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: Set<string>;

  constructor(setting: string) {
    const entries = setting
      .split(',')
      .map((entry) => entry.trim().replace(/\/+$/, '').toLowerCase())
      .filter(Boolean);
    this.anyOrigin = entries.includes('*');
    this.origins = new Set(entries.filter((entry) => entry !== '*'));
  }

  get enabled(): boolean {
    return this.anyOrigin || this.origins.size > 0;
  }

  allows(origin: string | undefined): boolean {
    return origin !== undefined && (this.anyOrigin || this.origins.has(origin.toLowerCase()));
  }
}

/** Request headers the API and tus clients send. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Request-Id',
  'If-None-Match',
  'If-Match',
  'Range',
  'Tus-Resumable',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'X-HTTP-Method-Override',
];

/** Response headers browser code may read. */
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'Location',
  'ETag',
  'Content-Range',
  'Accept-Ranges',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Expires',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
];

export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The API's CORS policy. A route opts out with `config: { cors: false }` to answer CORS itself (the tus endpoint,
 * whose OPTIONS must be tus's own answer, with or without an Origin).
 */
export async function registerCors(app: FastifyInstance, policy: CorsPolicy): Promise<void> {
  if (!policy.enabled) {
    // No other origin may call: @fastify/cors would run a hook on every request only to do nothing (with
    // `origin: false` it sets no header). Its catch-all OPTIONS route stays, answering as it does then.
    app.options('*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
    return;
  }
  await app.register(cors, {
    origin: policy.enabled ? (origin, callback) => callback(null, policy.allows(origin)) : false,
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: @fastify/cors leaves the route alone, because it answers CORS itself. */
    cors?: false;
  }
}
