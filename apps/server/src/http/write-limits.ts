import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { App } from './app-types.ts';
import { optionalUser } from './auth-context.ts';
import { hookList } from './security-headers.ts';
import { RateLimiter, clientNetwork, type RateRule } from '../infra/rate-limit/rate-limiter.ts';

/** The budget a write draws from, per account (and, for all of them together, per client network). */
type WriteBudget = 'registrations' | 'uploads' | 'comments' | 'reports' | 'writes';

/**
 * Every write route, by `METHOD url` as registered, and the budget it draws from. A write route missing from
 * both this table and EXEMPT_WRITES is reported by `unclassifiedWriteRoutes` (a test keeps that list empty).
 */
const WRITE_BUDGETS: Record<string, WriteBudget> = {
  'POST /api/v1/auth/register': 'registrations',
  'POST /api/v1/videos': 'uploads',
  'POST /api/v1/uploads': 'uploads',
  'PUT /api/v1/channels/:channel/avatar': 'uploads',
  'PUT /api/v1/channels/:channel/banner': 'uploads',
  'POST /api/v1/videos/:id/comments': 'comments',
  'PATCH /api/v1/comments/:id': 'comments',
  'POST /api/v1/reports': 'reports',
  'DELETE /api/v1/comments/:id': 'writes',
  'PUT /api/v1/comments/:id/like': 'writes',
  'DELETE /api/v1/comments/:id/like': 'writes',
  'POST /api/v1/channels': 'writes',
  'PATCH /api/v1/channels/:channel': 'writes',
  'PUT /api/v1/channels/:channel/subscription': 'writes',
  'DELETE /api/v1/channels/:channel/subscription': 'writes',
  'PUT /api/v1/videos/:id/rating': 'writes',
  'PATCH /api/v1/videos/:id': 'writes',
  'PUT /api/v1/videos/:id/channel': 'writes',
  'DELETE /api/v1/videos/:id': 'writes',
  'POST /api/v1/videos/:id/retry': 'writes',
  'POST /api/v1/playlists': 'writes',
  'PATCH /api/v1/playlists/:id': 'writes',
  'DELETE /api/v1/playlists/:id': 'writes',
  'POST /api/v1/playlists/:id/items': 'writes',
  'DELETE /api/v1/playlists/:id/items/:videoId': 'writes',
  'PUT /api/v1/playlists/:id/order': 'writes',
  'DELETE /api/v1/users/me/history': 'writes',
  'DELETE /api/v1/users/me/history/:id': 'writes',
  'PUT /api/v1/users/me/history/settings': 'writes',
  // Account security and recovery: these also have limits of their own (ACCOUNT_MAIL_RATE_LIMIT, TWO_FACTOR_RATE_LIMIT,
  // LOGIN_RATE_LIMIT_ACCOUNT for wrong current passwords); the write budgets bound them per network and account too.
  'POST /api/v1/auth/login/two-factor': 'writes',
  'POST /api/v1/auth/password-reset': 'writes',
  'POST /api/v1/auth/password-reset/confirm': 'writes',
  'POST /api/v1/auth/verify-email': 'writes',
  'POST /api/v1/auth/verify-email/resend': 'writes',
  'PUT /api/v1/account/password': 'writes',
  'PUT /api/v1/account/email': 'writes',
  'PUT /api/v1/account/username': 'writes',
  'PATCH /api/v1/account/notifications': 'writes',
  'POST /api/v1/account/two-factor/setup': 'writes',
  'POST /api/v1/account/two-factor/enable': 'writes',
  'POST /api/v1/account/two-factor/disable': 'writes',
  'POST /api/v1/account/two-factor/recovery-codes': 'writes',
  'DELETE /api/v1/account': 'writes',
  'POST /api/v1/account/deletion/cancel': 'writes',
  // Creator tools. A thumbnail is an image decoded (or a frame taken with ffmpeg), like channel art.
  'PUT /api/v1/videos/:id/thumbnail': 'uploads',
  'POST /api/v1/videos/:id/thumbnail/frame': 'uploads',
  'DELETE /api/v1/videos/:id/thumbnail': 'writes',
  'POST /api/v1/videos/:id/publish': 'writes',
  'POST /api/v1/comments/:id/approve': 'writes',
  'POST /api/v1/studio/videos/bulk': 'writes',
  // Captions: a file parsed, stored and published beside the media (with the manifests rewritten), like a thumbnail.
  'PUT /api/v1/videos/:id/captions/:language': 'uploads',
  'DELETE /api/v1/videos/:id/captions/:language': 'writes',
  // A GET that may queue a job (the first request for a video's MP4), and that clients poll while it runs.
  'GET /api/v1/videos/:id/download': 'writes',
};

/** Writes with limits of their own, or that only touch the caller's own session state. */
const EXEMPT_WRITES: Record<string, string> = {
  'POST /api/v1/auth/login': 'LOGIN_RATE_LIMIT_* (per network and per account)',
  'POST /api/v1/auth/refresh': 'a refresh token is 256 random bits, spent on use',
  'POST /api/v1/auth/logout': 'ends the caller’s own session',
  'DELETE /api/v1/auth/sessions': 'ends the caller’s own sessions',
  'DELETE /api/v1/auth/sessions/:id': 'ends one of the caller’s own sessions',
  'PUT /api/v1/videos/:id/progress': 'the player’s resume position, sent every few seconds; one row per user and video',
  'POST /api/v1/videos/:id/views': 'de-duplicated per viewer and bounded per network by the view counter (VIEW_MAX_PER_IP)',
  'POST /api/v1/notifications/read': 'marks the caller’s own notifications',
  'PATCH /api/v1/uploads/:id': 'tus chunks of an upload created under the uploads budget',
  'DELETE /api/v1/uploads/:id': 'tus termination of the caller’s own upload',
  'POST /api/v1/uploads/:id': 'tus (method override); acts on an upload created under the uploads budget',
  'PUT /api/v1/uploads/:id': 'not a tus method; answered by the upload handler',
  'PUT /api/v1/uploads': 'not a tus method; answered by the upload handler',
  'PATCH /api/v1/uploads': 'not a tus method; answered by the upload handler',
  'DELETE /api/v1/uploads': 'not a tus method; answered by the upload handler',
  'POST /api/v1/analytics/beacons': 'rate-limited on their own: BEACON_RATE_LIMIT per playback session, ten times that per client network',
};

const isAdminRoute = (route: string) => route.includes(' /api/v1/admin/');

function rulesFrom(config: Config): { perAccount: Record<WriteBudget, RateRule>; perNetwork: RateRule } {
  const windowSeconds = config.RATE_LIMIT_WINDOW;
  const rule = (name: string, limit: number, message: string): RateRule => ({ name, limit, windowSeconds, message });
  return {
    perAccount: {
      registrations: rule('registrations', config.RATE_LIMIT_REGISTRATIONS_PER_IP, 'Many accounts have been created from your network recently'),
      uploads: rule('uploads', config.RATE_LIMIT_UPLOADS_PER_ACCOUNT, 'You have created many videos and images in a short time'),
      comments: rule('comments', config.RATE_LIMIT_COMMENTS_PER_ACCOUNT, 'You have posted many comments in a short time'),
      reports: rule('reports', config.RATE_LIMIT_REPORTS_PER_ACCOUNT, 'You have sent many reports in a short time'),
      writes: rule('writes', config.RATE_LIMIT_WRITES_PER_ACCOUNT, 'You have made many changes in a short time'),
    },
    perNetwork: rule('writes-network', config.RATE_LIMIT_WRITES_PER_IP, 'Many changes have come from your network in a short time'),
  };
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const unclassified = new WeakMap<App, string[]>();

/** Write routes registered on `app` that neither draw from a budget nor are exempt (should be none). */
export function unclassifiedWriteRoutes(app: App): string[] {
  return unclassified.get(app) ?? [];
}

/**
 * Rate limits for every write an anonymous or new account can make: each counts against the account's budget
 * for its kind and, all kinds together, against the client's network. Runs after validation, so malformed
 * requests spend nothing. Call before any route is registered.
 */
export function installWriteLimits(app: App): void {
  const limiter = new RateLimiter(app.infra.cache);
  const { perAccount, perNetwork } = rulesFrom(app.infra.config);
  const missing: string[] = [];
  unclassified.set(app, missing);

  // Only write routes get the hook (added to the route when it is registered), so reads run no rate-limit hook.
  const limit = async (budget: WriteBudget, request: FastifyRequest): Promise<void> => {
    const network = clientNetwork(request.ip);
    if (budget === 'registrations') {
      await limiter.consume(perAccount.registrations, network);
      return;
    }
    await limiter.consume(perNetwork, network);
    const user = await optionalUser(request);
    if (user) await limiter.consume(perAccount[budget], user.id);
  };

  app.addHook('onRoute', (route) => {
    const budgets = new Map<string, WriteBudget>();
    for (const method of [route.method].flat()) {
      const key = `${method} ${route.url}`;
      if (WRITE_METHODS.has(method) && !(key in WRITE_BUDGETS) && !(key in EXEMPT_WRITES) && !isAdminRoute(key)) missing.push(key);
      const budget = WRITE_BUDGETS[key];
      if (budget) budgets.set(method, budget);
    }
    if (budgets.size === 0) return;
    // First among the route's own pre-handlers, as when this was an app-wide hook.
    route.preHandler = [
      async (request: FastifyRequest) => {
        const budget = budgets.get(request.method);
        if (budget) await limit(budget, request);
      },
      ...hookList(route.preHandler),
    ];
  });
}
