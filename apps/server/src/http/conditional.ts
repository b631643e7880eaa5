import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Sends a JSON body with a content ETag and the given Cache-Control; answers 304 when the client
 * (or a CDN revalidating) already has this version.
 */
export function sendCacheable<T>(request: FastifyRequest, reply: FastifyReply, body: T, cacheControl: string): T | FastifyReply {
  const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;
  reply.header('etag', etag).header('cache-control', cacheControl).header('vary', 'authorization');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) return reply.code(304).send();
  return body;
}
