import { Type } from 'typebox';
import { Channel, ChannelList, CreateChannelBody, CursorQuery, ErrorBody, PlaylistList, UpdateChannelBody, VideoPage } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { optionalUser, requireUser } from '../http/auth-context.ts';
import { notFound } from '../infra/http/errors.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const bearer = [{ bearer: [] }];
const ChannelParams = Type.Object({ channel: Type.String({ minLength: 1, maxLength: 64, description: 'channel id or handle' }) });
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

export async function channelRoutes(app: App): Promise<void> {
  const { channels, videos } = app.services;

  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.get('/api/v1/channels/:channel', { schema: { tags: ['channels'], summary: 'A channel by id or handle', params: ChannelParams, response: { 200: Channel, ...errors } } }, async (request) =>
    channels.get(request.params.channel, await optionalUser(request)),
  );

  app.get(
    '/api/v1/channels/:channel/videos',
    { schema: { tags: ['channels'], summary: 'A channel’s public videos, newest first', params: ChannelParams, querystring: CursorQuery, response: { 200: VideoPage, ...errors } } },
    async (request) => {
      const channel = await channels.repo.find(request.params.channel);
      if (!channel) throw notFound('Channel not found');
      return videos.listByChannel(channel.id, request.query.cursor, request.query.limit ?? 24);
    },
  );

  app.get(
    '/api/v1/channels/:channel/playlists',
    { schema: { tags: ['channels'], summary: 'Public playlists of the channel’s owner', params: ChannelParams, response: { 200: PlaylistList, ...errors } } },
    async (request) => {
      const channel = await channels.repo.find(request.params.channel);
      if (!channel) throw notFound('Channel not found');
      return { items: await app.services.playlists.listPublicOf(channel.user_id, await optionalUser(request)) };
    },
  );

  app.post('/api/v1/channels', { schema: { tags: ['channels'], summary: 'Create another channel', security: bearer, body: CreateChannelBody, response: { 201: Channel, ...errors } } }, async (request, reply) =>
    reply.code(201).send(await channels.create(await requireUser(request), request.body)),
  );

  app.patch(
    '/api/v1/channels/:channel',
    { schema: { tags: ['channels'], summary: 'Rename or describe a channel', security: bearer, params: ChannelParams, body: UpdateChannelBody, response: { 200: Channel, ...errors } } },
    async (request) => channels.update(request.params.channel, await requireUser(request), request.body),
  );

  for (const kind of ['avatar', 'banner'] as const) {
    app.put(
      `/api/v1/channels/:channel/${kind}`,
      {
        schema: {
          tags: ['channels'],
          summary: `Upload the channel ${kind} (raw JPEG/PNG/WebP body; resized server-side)`,
          security: bearer,
          params: ChannelParams,
          response: { 200: Channel, ...errors, 415: ErrorBody },
        },
      },
      async (request) => channels.setImage(request.params.channel, await requireUser(request), kind, request.body as Buffer),
    );
  }

  app.put(
    '/api/v1/channels/:channel/subscription',
    { schema: { tags: ['channels'], summary: 'Subscribe', security: bearer, params: ChannelParams, response: { 200: Channel, ...errors } } },
    async (request) => channels.subscribe(request.params.channel, await requireUser(request), true),
  );
  app.delete(
    '/api/v1/channels/:channel/subscription',
    { schema: { tags: ['channels'], summary: 'Unsubscribe', security: bearer, params: ChannelParams, response: { 200: Channel, ...errors } } },
    async (request) => channels.subscribe(request.params.channel, await requireUser(request), false),
  );

  app.get('/api/v1/users/me/channels', { schema: { tags: ['channels'], summary: 'My channels', security: bearer, response: { 200: ChannelList, ...errors } } }, async (request) => ({
    items: await channels.listMine(await requireUser(request)),
  }));
  app.get(
    '/api/v1/users/me/subscriptions',
    { schema: { tags: ['channels'], summary: 'Channels I subscribe to', security: bearer, response: { 200: ChannelList, ...errors } } },
    async (request) => ({ items: await channels.listSubscriptions(await requireUser(request)) }),
  );
  app.get(
    '/api/v1/feed/subscriptions',
    { schema: { tags: ['channels'], summary: 'Newest videos from my subscriptions', security: bearer, querystring: CursorQuery, response: { 200: VideoPage, ...errors } } },
    async (request) => videos.subscriptionFeed(await requireUser(request), request.query.cursor, request.query.limit ?? 24),
  );
}
