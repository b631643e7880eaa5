import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

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

/**
 * Like `sendCacheable` for a body serialized (and hashed) ahead of time, e.g. by a cache: sends the string as
 * it is, so Fastify neither serializes nor hashes anything for this response.
 */
export function sendPrepared(request: FastifyRequest, reply: FastifyReply, prepared: { body: string; etag: string }, cacheControl: string): FastifyReply {
  reply.header('etag', prepared.etag).header('cache-control', cacheControl).header('vary', 'authorization');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === prepared.etag)) return reply.code(304).send();
  return reply.header('content-type', 'application/json; charset=utf-8').send(prepared.body);
}

/** A body ready to send as it is, with its ETag and Cache-Control. */
export interface ReadyAnswer {
  body: string;
  etag: string;
  cacheControl: string;
}

/**
 * A route `onRequest` hook that answers an anonymous request from memory before parsing, validation, the
 * pre-handlers and the handler run (the app-wide onRequest hooks, i.e. request id, security headers and CORS,
 * have run already; onSend and onResponse still run). `find` gets the route's `:id` and returns the answer an
 * anonymous viewer gets, or undefined to let the request take the normal path, which then does every check.
 * Requests with an Authorization header always take the normal path: their token must be checked, and the
 * answer may differ for the signed-in viewer.
 */
export function answerAnonymousFromMemory(find: (id: string) => ReadyAnswer | null | undefined) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const { id } = request.params as { id?: unknown };
    const answer = request.headers.authorization === undefined && typeof id === 'string' ? find(id) : undefined;
    // A callback-style hook that has sent the reply must not call done().
    if (answer) sendPrepared(request, reply, answer, answer.cacheControl);
    else done();
  };
}
