import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChannelImageParams, MediaParams, SignedMediaParams } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { AppError, notFound } from '../infra/http/errors.ts';
import type { Readable } from 'node:stream';
import type { ByteRange, StoredObject } from '../infra/storage/storage.ts';
import { mediaContentType } from './media-types.ts';

/** Channel art file names are random per upload, so they never change. */
const CHANNEL_IMAGE = /^(avatar|banner)-[0-9a-f]{12}\.jpg$/;
// A file name never starts with a dot, so `.`, `..` (also sent as %2e%2e) and hidden files are simply not media.
const MEDIA_KEY = /^videos\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([A-Za-z0-9_-]{1,40})\/([A-Za-z0-9_-][A-Za-z0-9_.-]{0,99})$/;
const CHANNEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How long a front may reuse a `/media-auth` verdict (deploy/nginx caches them for the same time). */
export const MEDIA_AUTH_CACHE_SECONDS = 10;

/** Parses a single `bytes=` range; multiple ranges are answered with the whole file (allowed by RFC 9110). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Sends one stored object with the origin's usual answers: ETag and If-None-Match, one byte range (and If-Range),
 * CORS, or a redirect to a presigned S3 URL (S3_PRESIGNED_MEDIA). The caller has checked access and set
 * Cache-Control and Content-Type; `contentDisposition` (downloads) also goes into a presigned URL.
 */
export async function sendStoredObject(app: App, request: FastifyRequest, reply: FastifyReply, key: string, options: { contentDisposition?: string } = {}) {
  const { storage, config } = app.infra;
  reply.header('accept-ranges', 'bytes');
  reply.header('access-control-allow-origin', '*');
  reply.header('timing-allow-origin', '*');
  if (options.contentDisposition) reply.header('content-disposition', options.contentDisposition);

  if (storage.presignedUrl && config.S3_PRESIGNED_MEDIA) {
    return reply.redirect(await storage.presignedUrl(key, 3600, options.contentDisposition ? { contentDisposition: options.contentDisposition } : {}), 302);
  }
  // A whole-file GET (what players send for segments) is one storage read; only a Range request needs the
  // size first, to resolve open-ended and suffix ranges.
  let info: StoredObject | null;
  let wholeFile: Readable | null = null;
  if (request.headers.range) {
    info = await storage.stat(key);
  } else {
    const object = await storage.read(key);
    info = object;
    wholeFile = object?.body ?? null;
  }
  if (!info) throw notFound('No such media file');
  reply.header('etag', info.etag);
  reply.header('last-modified', info.lastModified.toUTCString());
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === info.etag || tag.trim() === '*')) {
    wholeFile?.destroy();
    return reply.code(304).send();
  }
  const ifRange = request.headers['if-range'];
  const range = wholeFile || (ifRange && ifRange !== info.etag) ? null : parseRange(request.headers.range, info.size);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${info.size}`);
    throw new AppError(416, 'range_not_satisfiable', 'The requested range is outside the file');
  }
  const body = wholeFile ?? (await storage.read(key, range ?? undefined))?.body;
  if (!body) throw notFound('No such media file');
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
    reply.header('content-length', range.end - range.start + 1);
  } else {
    reply.header('content-length', info.size);
  }
  return reply.send(body);
}

export async function mediaRoutes(app: App): Promise<void> {
  const { storage } = app.infra;
  const videos = app.services.videos;

  /**
   * Whether `key` may be served with `token` (null: an unsigned path). The one access check for media, used by
   * this route and by `/media-auth` (a front such as nginx asks it before serving files itself).
   */
  async function authorize(key: string, token: string | null): Promise<{ file: string; growing: boolean }> {
    const match = MEDIA_KEY.exec(key);
    if (!match) throw notFound('No such media file');
    const [, videoId, version, file] = match;
    const prefix = `videos/${videoId}/${version}`;
    const access = await videos.mediaAccess(videoId!);
    // Only the current version of a ready video is served: old versions and half-published files never are.
    if (!access || access.prefix !== prefix) throw notFound('No such media file');
    if (token) {
      const verdict = app.services.mediaUrls.verify(token, { prefix, linkGeneration: access.linkGeneration });
      if (verdict !== 'ok')
        throw new AppError(
          403,
          verdict === 'expired' ? 'link_expired' : 'invalid_signature',
          verdict === 'expired' ? 'This media link has expired; reload the page' : 'This media link is not valid',
        );
    } else if (access.visibility !== 'public') {
      throw new AppError(403, 'signature_required', 'This video is not public; use the links from its playback endpoint');
    }
    return { file: file!, growing: access.growing === true };
  }

  async function serve(request: FastifyRequest, reply: FastifyReply, key: string, token: string | null) {
    const { file, growing } = await authorize(key, token);
    const isManifest = file.endsWith('.m3u8') || file.endsWith('.mpd');
    const scope = token ? 'private' : 'public';
    // Segments, posters and sprites never change under a version prefix; manifests are kept short-lived, and not
    // kept at all while a playable video grows (a player reloading for a new rung must see the new master).
    const manifestCache = growing ? `${scope}, no-cache` : `${scope}, max-age=10`;
    reply.header('cache-control', isManifest ? manifestCache : `${scope}, max-age=31536000, immutable`);
    reply.header('content-type', mediaContentType(file));
    return sendStoredObject(app, request, reply, key);
  }

  /**
   * For nginx `auth_request` (deploy/nginx): the original media path comes in `X-Original-URI`; 204 when it may be
   * served, else the status and error body the media route itself would answer. Answers carry a short
   * Cache-Control so the front can cache verdicts (a change of visibility takes effect within that time).
   */
  app.get('/media-auth', { schema: { hide: true } }, async (request, reply) => {
    const original = request.headers['x-original-uri'];
    const uri = (Array.isArray(original) ? original[0] : original)?.split('?')[0] ?? '';
    const signed = /^\/media\/t\/([^/]+)\/(.+)$/.exec(uri);
    const unsigned = signed ? null : /^\/media\/(.+)$/.exec(uri);
    reply.header('cache-control', `private, max-age=${MEDIA_AUTH_CACHE_SECONDS}`);
    if (signed) await authorize(signed[2]!, signed[1]!);
    else if (unsigned && !unsigned[1]!.startsWith('t/')) await authorize(unsigned[1]!, null);
    else throw notFound('No such media file');
    return reply.code(204).send();
  });

  app.get('/media/t/:token/*', { schema: { hide: true, params: SignedMediaParams } }, async (request, reply) => {
    const { token, '*': key } = request.params;
    return serve(request, reply, key, token);
  });
  app.get('/media/channels/:channelId/:file', { schema: { hide: true, params: ChannelImageParams } }, async (request, reply) => {
    const { channelId, file } = request.params;
    if (!CHANNEL_ID.test(channelId) || !CHANNEL_IMAGE.test(file)) throw notFound('No such media file');
    const object = await storage.read(`channels/${channelId}/${file}`);
    if (!object) throw notFound('No such media file');
    return reply
      .header('content-type', 'image/jpeg')
      .header('content-length', object.size)
      .header('etag', object.etag)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('access-control-allow-origin', '*')
      .send(object.body);
  });
  app.get('/media/*', { schema: { hide: true, params: MediaParams } }, async (request, reply) => {
    const key = request.params['*'];
    if (key.startsWith('t/')) throw notFound('No such media file');
    return serve(request, reply, key, null);
  });
}
