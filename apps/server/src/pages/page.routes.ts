import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody, OEmbedQuery, OEmbedVideo } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { AppError } from '../infra/http/errors.ts';
import { sendCompressed } from '../http/compressed-body.ts';
import { embedPageOptions } from '../embed/frame-policy.ts';
import { injectHead, type PageHead } from './page-head.ts';

/**
 * Shared pages (watch, channel, playlist, embed) are the web app's index.html with their own head, so link
 * previews (Open Graph, Twitter cards, oEmbed discovery) work without running the app; plus `/oembed`.
 */
export async function pageRoutes(app: App): Promise<void> {
  const { config } = app.infra;
  const { pages } = app.services;
  const requestOrigin = (request: FastifyRequest) => new URL(`${request.protocol}://${request.host}`).origin;
  const originOf = (request: FastifyRequest) => (config.PUBLIC_URL ? config.publicUrl : requestOrigin(request));

  app.get(
    '/oembed',
    {
      schema: {
        tags: ['sharing'],
        summary: 'oEmbed (https://oembed.com) for a watch link: title, author, thumbnail and an <iframe> of the embed player',
        querystring: OEmbedQuery,
        response: { 200: OEmbedVideo, 400: ErrorBody, 404: ErrorBody, 501: ErrorBody },
      },
    },
    async (request, reply) => {
      if (request.query.format === 'xml') throw new AppError(501, 'format_not_supported', 'Only format=json is available');
      const origins = [...new Set([originOf(request), config.publicUrl, requestOrigin(request)])];
      const body = await pages.oembed(origins, request.query.url, { width: request.query.maxwidth, height: request.query.maxheight });
      return reply.header('cache-control', 'public, max-age=300').send(body);
    },
  );

  const indexPath = path.join(config.webDistDir, 'index.html');
  if (!existsSync(indexPath)) return;
  const indexHtml = await readFile(indexPath, 'utf8');
  // Rendered per request, so compressed per request (the static files come precompressed from the build).
  const sendPage = (request: FastifyRequest, reply: FastifyReply, head: PageHead | null) =>
    sendCompressed(request, reply.header('cache-control', 'no-cache'), head ? injectHead(indexHtml, head) : indexHtml, 'text/html; charset=utf-8');

  const IdParam = Type.Object({ id: Type.String({ maxLength: 100 }) });
  const HandleParam = Type.Object({ handle: Type.String({ maxLength: 100 }) });
  const hidden = { hide: true } as const;

  app.get('/watch/:id', { schema: { ...hidden, params: IdParam } }, async (request, reply) =>
    sendPage(request, reply, await pages.videoHead(originOf(request), request.params.id)),
  );
  app.get('/channel/:handle', { schema: { ...hidden, params: HandleParam } }, async (request, reply) =>
    sendPage(request, reply, await pages.channelHead(originOf(request), request.params.handle)),
  );
  app.get('/playlist/:id', { schema: { ...hidden, params: IdParam } }, async (request, reply) =>
    sendPage(request, reply, await pages.playlistHead(originOf(request), request.params.id)),
  );
  app.get('/embed/:id', { ...embedPageOptions(config), schema: { ...hidden, params: IdParam } }, async (request, reply) => {
    const head = await pages.videoHead(originOf(request), request.params.id);
    // The embed page itself is not for search results; its canonical link points at the watch page.
    return sendPage(request, reply, head ? { ...head, noindex: true } : null);
  });
}
