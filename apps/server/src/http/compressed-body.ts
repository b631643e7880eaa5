import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * The coding to answer with for an Accept-Encoding header (RFC 9110 §12.5.3): brotli, then gzip, among those
 * the client accepts with q > 0 (`*` stands for any coding not named); identity when none is acceptable.
 */
export function negotiateEncoding(header: string | undefined): ContentCoding {
  if (!header) return 'identity';
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...parameters] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: string) => weights.get(coding) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gzip = Math.max(weightOf('gzip'), weights.get('x-gzip') ?? 0);
  if (br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  return 'identity';
}

/** Bodies this small gain nothing from compression (framing costs more than it saves). */
const MIN_COMPRESS_BYTES = 1024;

/**
 * Sends a server-rendered text body (HTML pages) compressed as the client accepts, with `Vary: Accept-Encoding`
 * and a weak ETag of the uncompressed body — the same for every coding, which weak comparison allows — so
 * a revalidation (`If-None-Match`) gets a 304 whatever the coding. Brotli at a middle quality: these pages are
 * rendered per request, so speed matters more than the last percent.
 */
export function sendCompressed(request: FastifyRequest, reply: FastifyReply, body: string, contentType: string): FastifyReply {
  const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
  const vary = reply.getHeader('vary');
  const varies = typeof vary === 'string' && vary.length > 0 ? vary.split(',').map((name) => name.trim().toLowerCase()) : [];
  if (!varies.includes('accept-encoding')) reply.header('vary', [...varies, 'accept-encoding'].join(', '));
  reply.header('etag', etag).type(contentType);
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) return reply.code(304).send();
  const raw = Buffer.from(body, 'utf8');
  const coding = raw.length < MIN_COMPRESS_BYTES ? 'identity' : negotiateEncoding(request.headers['accept-encoding']);
  if (coding === 'identity') return reply.send(raw);
  const encoded =
    coding === 'br'
      ? brotliCompressSync(raw, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
        })
      : gzipSync(raw, { level: 6 });
  return reply.header('content-encoding', coding).send(encoded);
}
