import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { Config } from '../config.ts';
import type { App } from './app-types.ts';

type HeaderConfig = Pick<Config, 'publicUrl' | 'MEDIA_BASE_URL' | 'S3_PRESIGNED_MEDIA' | 'S3_ENDPOINT' | 'S3_BUCKET' | 'S3_REGION' | 'S3_FORCE_PATH_STYLE'>;
type HeaderOptions = HelmetOptions;

/**
 * Origins other than our own that serve media: MEDIA_BASE_URL (a CDN), and the S3 endpoint when media
 * requests are redirected to presigned S3 URLs.
 */
export function mediaOrigins(config: HeaderConfig): string[] {
  const own = new URL(config.publicUrl).origin;
  const origins = new Set<string>();
  if (config.MEDIA_BASE_URL) origins.add(new URL(config.MEDIA_BASE_URL).origin);
  if (config.S3_PRESIGNED_MEDIA && config.S3_BUCKET) {
    if (config.S3_ENDPOINT) {
      const endpoint = new URL(config.S3_ENDPOINT);
      origins.add(endpoint.origin);
      if (!config.S3_FORCE_PATH_STYLE) origins.add(`${endpoint.protocol}//${config.S3_BUCKET}.${endpoint.host}`);
    } else {
      origins.add(`https://${config.S3_BUCKET}.s3.${config.S3_REGION}.amazonaws.com`);
      origins.add(`https://s3.${config.S3_REGION}.amazonaws.com`);
    }
  }
  origins.delete(own);
  return [...origins];
}

/**
 * The Content-Security-Policy the web app, hls.js (a blob: worker, MediaSource `blob:` media), the media
 * origin and the API docs page (swagger-ui) work under. Nothing inline, nothing from elsewhere.
 */
export function contentSecurityDirectives(config: HeaderConfig, frameAncestors: string[] = ["'none'"]): Record<string, string[]> {
  const media = mediaOrigins(config);
  const https = config.publicUrl.startsWith('https:');
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...media],
    'media-src': ["'self'", 'blob:', ...media],
    'connect-src': ["'self'", ...media],
    'worker-src': ["'self'", 'blob:'],
    'font-src': ["'self'", 'data:'],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': frameAncestors,
    ...(https ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/** Every security header, for a page that may be framed by `frameAncestors` (default: by nobody). */
export function securityHeaderOptions(config: HeaderConfig, frameAncestors?: string[]): HeaderOptions {
  const embeddable = frameAncestors !== undefined && !frameAncestors.includes("'none'");
  return {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityDirectives(config, frameAncestors) },
    // X-Frame-Options cannot say "anyone": an embeddable page relies on frame-ancestors alone.
    frameguard: embeddable ? false : { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Media and channel art are fetched by pages on other origins (MEDIA_BASE_URL, embeds); see the onSend hook.
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
    // HSTS only means something over HTTPS; on a plain-HTTP LAN install it would only confuse browsers later.
    strictTransportSecurity: config.publicUrl.startsWith('https:') ? { maxAge: 15_552_000 } : false,
  };
}

/**
 * Route options for a page other sites may frame (the future `/embed/:id` player):
 * `app.get('/embed/:id', { ...embeddablePage(config) }, handler)`.
 */
export function embeddablePage(config: HeaderConfig, frameAncestors: string[] = ['*']): { helmet: HeaderOptions } {
  return { helmet: securityHeaderOptions(config, frameAncestors) };
}

/** Response headers as name/value pairs, fixed for the life of the process. */
type HeaderList = readonly (readonly [string, string])[];

/**
 * The headers helmet sets for `options`, worked out once. (@fastify/helmet builds a new helmet middleware, and
 * re-parses the whole Content-Security-Policy, on every request: measured in bench/api.bench.ts, that was about a
 * tenth of a cached API request's CPU.) Our policies hold no per-request values (no nonces), so the list is fixed.
 */
export function securityHeaderList(options: HeaderOptions): HeaderList {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error;
  });
  return [...headers];
}

/** Media and channel art are fetched by pages on other origins (MEDIA_BASE_URL, embeds). */
const crossOriginUrl = (url: string) => url.startsWith('/media/') || url.startsWith('/.well-known/');
/** Route patterns that match media and other URLs alike (catch-alls): their Cross-Origin-Resource-Policy is chosen per request. */
const matchesAnyPrefix = (url: string) => url === '*' || url.startsWith('/*') || url.startsWith('/:');

/** A route option hook list (undefined, one hook or several) as an array. */
export function hookList<T>(hooks: T | readonly T[] | undefined): T[] {
  return hooks === undefined ? [] : ([] as T[]).concat(hooks);
}

function headerHook(headers: HeaderList) {
  return (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    for (const [name, value] of headers) reply.header(name, value);
    done();
  };
}

function crossOriginPolicyOnSend(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  reply.header('cross-origin-resource-policy', crossOriginUrl(request.url) ? 'cross-origin' : 'same-origin');
  done(null, payload);
}

/**
 * Security headers on every response; call before any route is registered. A route may ask for other ones with
 * `helmet: options` (see `embeddablePage`), merged over the app-wide options as @fastify/helmet did.
 *
 * Each route gets its own onRequest hook with its header list worked out when it is registered
 * (Cross-Origin-Resource-Policy included, from the route's pattern), so a request neither builds
 * `request.routeOptions` (a new object per access) nor runs an onSend hook. Only the not-found handler and
 * catch-all routes choose Cross-Origin-Resource-Policy per request, from the URL, as before.
 */
export async function installSecurityHeaders(app: App, config: HeaderConfig): Promise<void> {
  const appWide = securityHeaderOptions(config);
  const appWideHeaders = securityHeaderList(appWide);
  app.addHook('onRoute', (route) => {
    const headers = route.helmet ? securityHeaderList({ ...appWide, ...route.helmet } as HelmetOptions) : appWideHeaders;
    const perRequest = matchesAnyPrefix(route.url);
    const fixed: HeaderList = perRequest ? headers : [...headers, ['cross-origin-resource-policy', crossOriginUrl(route.url) ? 'cross-origin' : 'same-origin']];
    route.onRequest = [headerHook(fixed), ...hookList(route.onRequest)];
    if (perRequest) route.onSend = [...hookList(route.onSend), crossOriginPolicyOnSend];
  });
  // Requests no route matched (and routes that hand over with `callNotFound`) get the app-wide headers here.
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (request.is404) for (const [name, value] of appWideHeaders) reply.header(name, value);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.is404) crossOriginPolicyOnSend(request, reply, payload, done);
    else done(null, payload);
  });
}

declare module 'fastify' {
  interface RouteShorthandOptions {
    /** Security headers for this route instead of the app-wide ones (merged over them), e.g. `embeddablePage(config)`. */
    helmet?: HelmetOptions;
  }
}

/**
 * swagger-ui adds its stylesheet as an inline <style> element, so the docs pages (and only they) allow inline
 * styles; scripts stay 'self' only. For @fastify/swagger-ui's `transformStaticCSP`.
 */
export function docsPageCsp(header: string): string {
  return header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
}
