import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody, type ErrorCode, type FrameworkErrorCode } from '@tube/shared';
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
import { pageRoutes } from './pages/page.routes.ts';
import { captionRoutes } from './captions/caption.routes.ts';
import { downloadRoutes } from './downloads/download.routes.ts';
import { thumbnailRoutes } from './videos/thumbnail.routes.ts';
import { studioRoutes } from './studio/studio.routes.ts';
import { analyticsRoutes } from './analytics/analytics.routes.ts';
import { accountRoutes } from './accounts/account.routes.ts';
import { oidcLoginRoutes } from './auth/oidc-login.routes.ts';
import type { App } from './http/app-types.ts';
import { healthRoutes } from './health/health.routes.ts';
import { AppError } from './infra/http/errors.ts';
import { isDatabaseUnavailable } from './infra/failure-reasons.ts';
import { createValidatorCompiler, validationMessage } from './http/validation.ts';
import { OneLinePerRequest } from './http/request-log.ts';
import { installWriteLimits } from './http/write-limits.ts';
import { installRouteAuth } from './http/auth-context.ts';
import { docsPageCsp, hookList, installSecurityHeaders } from './http/security-headers.ts';
import { CorsPolicy, registerCors } from './http/cors.ts';
import type { Infra } from './infra/infra.ts';
import type { Services } from './services.ts';

export interface BuildAppOptions {
  infra: Infra;
  services: Services;
  /** `worker` processes only expose health and metrics. */
  role: 'all' | 'api' | 'worker';
}

function errorBody(code: ErrorCode | FrameworkErrorCode, message: string): ErrorBody {
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
        return missing ? `${field}.${missing} is required` : `${field} ${validationMessage(v)}`;
      })
      .join('; ');
    return reply.code(400).send(errorBody('validation_failed', message));
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    this.infra.metrics.dependencyErrors.inc({ dependency: 'database' });
    return reply
      .code(503)
      .header('retry-after', '5')
      .send(errorBody('database_unavailable', 'The service is briefly unavailable (its database cannot be reached); try again in a few seconds'));
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    // Other refusals by Fastify itself keep its own code, lower-cased (fst_err_ctp_body_too_large, …).
    const code: ErrorCode | FrameworkErrorCode =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'invalid_json'
        : error.code
          ? (error.code.toLowerCase() as FrameworkErrorCode)
          : 'bad_request';
    const message = code === 'invalid_json' ? 'The request body is not valid JSON' : error.message;
    return reply.code(status).send(errorBody(code, message));
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send(errorBody('internal_error', 'Something went wrong on our side; it has been logged'));
}

/**
 * Request ids for requests that bring none: this process's random prefix and a counter, shaped like a UUID
 * (unique across the fleet without drawing random bytes for every request).
 */
const requestIdPrefix = crypto.randomUUID().slice(0, 24);
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter += 1;
  return requestIdPrefix + requestCounter.toString(16).padStart(12, '0');
}

type DurationHistogram = ReturnType<Infra['metrics']['httpDuration']['labels']>;

/**
 * An onResponse hook observing `tube_http_request_duration_seconds` for one route label. The labelled child of
 * each method and status is looked up once and kept, so a request builds no label object.
 */
function durationObserver(histogram: Infra['metrics']['httpDuration'], route: string) {
  const children = new Map<string, DurationHistogram>();
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const method = request.method;
    const status = reply.statusCode;
    const key = method + status;
    let child = children.get(key);
    if (child === undefined) {
      child = histogram.labels({ method, route, status: String(status) });
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  };
}

/**
 * A Fastify instance with everything every route gets: request ids, logging, metrics, validation and error
 * handling, write limits, security headers and CORS. `buildApp` adds the routes; the API benchmark serves a
 * static route from one of these to measure what the shared hooks cost on their own.
 */
export async function createHttpServer(infra: Infra): Promise<App> {
  const { config, logger, metrics } = infra;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    trustProxy: config.TRUST_PROXY,
    requestIdHeader: 'x-request-id',
    logController: new OneLinePerRequest(),
    genReqId: nextRequestId,
    // A logger that writes nothing (LOG_LEVEL=silent) needs no per-request child carrying the request id.
    childLoggerFactory: (parent, bindings, options) => (parent.level === 'silent' ? parent : parent.child(bindings, options)),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('infra', infra);

  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // Each route observes its own durations, with its label fixed when it is registered; requests no route
  // matched (or handed to the not-found handler) are observed here as `unmatched`.
  app.addHook('onRoute', (route) => {
    route.onResponse = [...hookList(route.onResponse), durationObserver(metrics.httpDuration, route.url)];
  });
  const unmatched = durationObserver(metrics.httpDuration, 'unmatched');
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) unmatched(request, reply, done);
    else done();
  });
  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(handleError);
  installWriteLimits(app);
  installRouteAuth(app);
  await installSecurityHeaders(app, config);

  await registerCors(app, new CorsPolicy(config.CORS_ORIGINS));
  return app;
}

export async function buildApp({ infra, services, role }: BuildAppOptions): Promise<App> {
  const { config } = infra;
  const app = await createHttpServer(infra);
  app.decorate('services', services);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tube API', version: '1.0.0', description: 'Self-hostable video platform. Errors always have the shape `{ error: { code, message } }`.' },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  app.addSchema(ErrorBody);
  await app.register(swaggerUi, { routePrefix: '/api/docs', transformStaticCSP: docsPageCsp });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);
  if (role !== 'worker') {
    const api = { prefix: '/api/v1' };
    await app.register(authRoutes);
    await app.register(videoRoutes, api);
    await app.register(thumbnailRoutes, api);
    await app.register(studioRoutes, api);
    await app.register(analyticsRoutes, api);
    await app.register(uploadRoutes);
    await app.register(mediaRoutes);
    await app.register(playbackRoutes, api);
    await app.register(channelRoutes, api);
    await app.register(socialRoutes, api);
    await app.register(playlistRoutes, api);
    await app.register(historyRoutes, api);
    await app.register(searchRoutes, api);
    await app.register(discoveryRoutes, api);
    await app.register(notificationRoutes, api);
    await app.register(moderationRoutes, api);
    await app.register(pageRoutes);
    await app.register(captionRoutes, api);
    await app.register(downloadRoutes);
    await app.register(accountRoutes, api);
    await app.register(oidcLoginRoutes);
  }

  const indexHtml = path.join(config.webDistDir, 'index.html');
  const serveWeb = role !== 'worker' && existsSync(indexHtml);
  if (serveWeb) {
    await app.register(fastifyStatic, {
      root: config.webDistDir,
      wildcard: false,
      // The build writes .br and .gz copies of text assets; the one the browser accepts is sent.
      preCompressed: true,
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
