import { Type } from 'typebox';
import { AnalyticsQuery, BeaconBatch, BeaconResult, ChannelAnalytics, IdParams, LineText, VideoAnalytics } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { clientInfo } from '../http/auth-context.ts';

const errors = errorResponses(400, 401, 404, 409, 429);

export async function analyticsRoutes(app: App): Promise<void> {
  const { analytics } = app.services;
  // navigator.sendBeacon posts text/plain (a "simple" request, so no CORS preflight); the body is still JSON.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new SyntaxError('The request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });

  app.post(
    '/analytics/beacons',
    {
      config: { auth: 'optional' },
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['analytics'],
        summary: 'Player beacons for one playback session (batched; rate-limited per session and address)',
        body: BeaconBatch,
        response: { 202: BeaconResult, ...errors },
      },
    },
    async (request, reply) => {
      const client = clientInfo(request);
      const result = await analytics.ingest(request.body, { ip: client.ip, userAgent: client.userAgent, viewer: request.viewer });
      return reply.code(202).send(result);
    },
  );

  app.get(
    '/studio/videos/:id/analytics',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['analytics'],
        summary: 'Charts data for one of my videos',
        params: IdParams,
        querystring: AnalyticsQuery,
        response: { 200: VideoAnalytics, ...errors },
      },
    },
    async (request) => analytics.forVideo(request.params.id, request.user, request.query.days ?? 28),
  );

  app.get(
    '/studio/channels/:channel/analytics',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['analytics'],
        summary: 'Overview of one of my channels',
        params: Type.Object({ channel: LineText({ minLength: 1, maxLength: 64 }) }),
        querystring: AnalyticsQuery,
        response: { 200: ChannelAnalytics, ...errors },
      },
    },
    async (request) => analytics.forChannel(request.params.channel, request.user, request.query.days ?? 28),
  );
}
