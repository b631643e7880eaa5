import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from '@tube/shared';
import { authRoutes } from './auth/auth.routes.ts';
import { uploadRoutes } from './uploads/upload.routes.ts';
import { mediaRoutes } from './playback/media.routes.ts';
import { playbackRoutes } from './playback/playback.routes.ts';
import { channelRoutes } from './channels/channel.routes.ts';
import { socialRoutes } from './social/social.routes.ts';
import { playlistRoutes } from './playlists/playlist.routes.ts';
import { historyRoutes } from './history/history.routes.ts';
import { searchRoutes } from './search/search.routes.ts';
import { discoveryRoutes } from './discovery/discovery.routes.ts';
import { notificationRoutes } from './notifications/notification.routes.ts';
import { moderationRoutes } from './moderation/moderation.routes.ts';
import { videoRoutes } from './videos/video.routes.ts';
import type { App } from './http/app-types.ts';
import { healthRoutes } from './health/health.routes.ts';
import { AppError } from './infra/http/errors.ts';
import { createValidatorCompiler } from './http/validation.ts';
import { OneLinePerRequest } from './http/request-log.ts';
import type { Infra } from './infra/infra.ts';
import type { Services } from './services.ts';

export interface BuildAppOptions {
  infra: Infra;
  services: Services;
  /** `worker` processes only expose health and metrics. */
  role: 'all' | 'api' | 'worker';
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** Maps every failure to `{ error: { code, message } }` with a sentence a person can read. */
function handleError(this: App, error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message));
  }
  if (error.validation) {
    const message = error.validation
      .slice(0, 3)
      .map((v) => {
        const field = `${error.validationContext ?? 'request'}${v.instancePath ? v.instancePath.replaceAll('/', '.') : ''}`;
        const missing = (v.params as { missingProperty?: string }).missingProperty;
        return missing ? `${field}.${missing} is required` : `${field} ${v.message ?? 'is invalid'}`;
      })
      .join('; ');
    return reply.code(400).send(errorBody('validation_failed', message));
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    const code = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'invalid_json' : (error.code ?? 'bad_request').toLowerCase();
    const message = code === 'invalid_json' ? 'The request body is not valid JSON' : error.message;
    return reply.code(status).send(errorBody(code, message));
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send(errorBody('internal_error', 'Something went wrong on our side; it has been logged'));
}

export async function buildApp({ infra, services, role }: BuildAppOptions): Promise<App> {
  const { config, logger, metrics } = infra;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.TRUST_PROXY,
    requestIdHeader: 'x-request-id',
    logController: new OneLinePerRequest(),
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('infra', infra);
  app.decorate('services', services);
  app.decorateRequest('authUser', undefined);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(handleError);

  await app.register(cors, {
    origin: true,
    exposedHeaders: ['x-request-id', 'retry-after', 'location', 'upload-offset', 'upload-length', 'tus-resumable', 'content-range', 'accept-ranges'],
    maxAge: 600,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tube API', version: '1.0.0', description: 'Self-hostable video platform. Errors always have the shape `{ error: { code, message } }`.' },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  app.addSchema(ErrorBody);
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);
  if (role !== 'worker') {
    await app.register(authRoutes);
    await app.register(videoRoutes);
    await app.register(uploadRoutes);
    await app.register(mediaRoutes);
    await app.register(playbackRoutes);
    await app.register(channelRoutes);
    await app.register(socialRoutes);
    await app.register(playlistRoutes);
    await app.register(historyRoutes);
    await app.register(searchRoutes);
    await app.register(discoveryRoutes);
    await app.register(notificationRoutes);
    await app.register(moderationRoutes);
  }

  const indexHtml = path.join(config.webDistDir, 'index.html');
  const serveWeb = role !== 'worker' && existsSync(indexHtml);
  if (serveWeb) {
    await app.register(fastifyStatic, {
      root: config.webDistDir,
      wildcard: false,
      setHeaders(reply, filePath) {
        const hashedAsset = filePath.includes(`${path.sep}assets${path.sep}`);
        reply.header('cache-control', hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler(async (request, reply) => {
    const isApi = /^\/(api|media|\.well-known|healthz|readyz|metrics)(\/|$)/.test(request.url);
    if (serveWeb && !isApi && request.method === 'GET' && request.headers.accept?.includes('text/html')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.code(404).send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });

  return app;
}
