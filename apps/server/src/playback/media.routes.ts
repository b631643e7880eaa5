import type { FastifyReply, FastifyRequest } from 'fastify';
import { getJson, setJson } from '../infra/cache/cache.ts';
import type { App } from '../http/app-types.ts';
import { AppError, notFound } from '../infra/http/errors.ts';
import type { Readable } from 'node:stream';
import type { ByteRange, StoredObject } from '../infra/storage/storage.ts';
import { mediaContentType } from './media-types.ts';

/** Channel art file names are random per upload, so they never change. */
const CHANNEL_IMAGE = /^(avatar|banner)-[0-9a-f]{12}\.jpg$/;
const MEDIA_KEY = /^videos\/([0-9a-f-]{36})\/([A-Za-z0-9_-]{1,40})\/([A-Za-z0-9_.-]{1,100})$/;

/** What the media route needs to know about a video, cached briefly (invalidated on edit and delete). */
interface MediaAccess {
  prefix: string | null;
  visibility: 'public' | 'unlisted' | 'private';
}

const ACCESS_TTL_SECONDS = 30;

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

export async function mediaRoutes(app: App): Promise<void> {
  const { storage, cache, config, db } = app.infra;
  const urls = app.services.videos.urls;

  async function accessOf(videoId: string): Promise<MediaAccess | null> {
    const cacheKey = `video-access:${videoId}`;
    const cached = await getJson<MediaAccess | { missing: true }>(cache, cacheKey);
    if (cached) return 'missing' in cached ? null : cached;
    const row = await db.selectFrom('videos').select(['media_prefix', 'visibility', 'status', 'hidden_at']).where('id', '=', videoId).executeTakeFirst();
    // Moderation-hidden videos keep their files (an admin may restore them) but serve nothing.
    const access = row && row.status === 'ready' && row.hidden_at === null ? { prefix: row.media_prefix, visibility: row.visibility } : null;
    await setJson(cache, cacheKey, access ?? { missing: true }, ACCESS_TTL_SECONDS);
    return access;
  }

  async function serve(request: FastifyRequest, reply: FastifyReply, key: string, token: string | null) {
    const match = MEDIA_KEY.exec(key);
    if (!match) throw notFound('No such media file');
    const [, videoId, version, file] = match;
    const prefix = `videos/${videoId}/${version}`;
    const access = await accessOf(videoId!);
    // Only the current version of a ready video is served: old versions and half-published files never are.
    if (!access || access.prefix !== prefix) throw notFound('No such media file');
    if (token) {
      const verdict = urls.verify(token, prefix);
      if (verdict !== 'ok') throw new AppError(403, verdict === 'expired' ? 'link_expired' : 'invalid_signature', verdict === 'expired' ? 'This media link has expired; reload the page' : 'This media link is not valid');
    } else if (access.visibility !== 'public') {
      throw new AppError(403, 'signature_required', 'This video is not public; use the links from its playback endpoint');
    }

    const isManifest = file!.endsWith('.m3u8') || file!.endsWith('.mpd');
    const scope = token ? 'private' : 'public';
    // Segments, posters and sprites never change under a version prefix; manifests are kept short-lived.
    reply.header('cache-control', isManifest ? `${scope}, max-age=10` : `${scope}, max-age=31536000, immutable`);
    reply.header('content-type', mediaContentType(file!));
    reply.header('accept-ranges', 'bytes');
    reply.header('access-control-allow-origin', '*');
    reply.header('timing-allow-origin', '*');

    if (storage.presignedUrl && config.S3_PRESIGNED_MEDIA) {
      return reply.redirect(await storage.presignedUrl(key, 3600), 302);
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

  app.get('/media/t/:token/*', { schema: { hide: true } }, async (request, reply) => {
    const { token, '*': key } = request.params as { token: string; '*': string };
    return serve(request, reply, key, token);
  });
  app.get('/media/channels/:channelId/:file', { schema: { hide: true } }, async (request, reply) => {
    const { channelId, file } = request.params as { channelId: string; file: string };
    if (!/^[0-9a-f-]{36}$/.test(channelId) || !CHANNEL_IMAGE.test(file)) throw notFound('No such media file');
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
  app.get('/media/*', { schema: { hide: true } }, async (request, reply) => {
    const key = (request.params as { '*': string })['*'];
    if (key.startsWith('t/')) throw notFound('No such media file');
    return serve(request, reply, key, null);
  });
}
