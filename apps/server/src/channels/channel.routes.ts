import { Type } from 'typebox';
import { Channel, ChannelList, CreateChannelBody, CursorQuery, ErrorBody, LineText, PlaylistList, UpdateChannelBody, VideoPage } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401, 403, 404, 409);
const ChannelParams = Type.Object({ channel: LineText({ minLength: 1, maxLength: 64, description: 'channel id or handle' }) });
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

export async function channelRoutes(app: App): Promise<void> {
  const { channels, videos } = app.services;

  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.get(
    '/channels/:channel',
    {
      config: { auth: 'optional' },
      schema: { tags: ['channels'], summary: 'A channel by id or handle', params: ChannelParams, response: { 200: Channel, ...errors } },
    },
    async (request) => channels.get(request.params.channel, request.viewer),
  );

  app.get(
    '/channels/:channel/videos',
    {
      schema: {
        tags: ['channels'],
        summary: 'A channel’s public videos, newest first',
        params: ChannelParams,
        querystring: CursorQuery,
        response: { 200: VideoPage, ...errors },
      },
    },
    async (request) => {
      const channel = await channels.find(request.params.channel);
      return videos.listByChannel(channel.id, request.query.cursor, request.query.limit ?? 24);
    },
  );

  app.get(
    '/channels/:channel/scheduled',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['channels'],
        summary: 'A channel’s scheduled videos, soonest first (its owner only; empty for anyone else)',
        params: ChannelParams,
        response: { 200: VideoPage, ...errors },
      },
    },
    async (request) => {
      const channel = await channels.find(request.params.channel);
      return videos.scheduledForChannel(channel.id, request.user);
    },
  );

  app.get(
    '/channels/:channel/playlists',
    {
      config: { auth: 'optional' },
      schema: { tags: ['channels'], summary: 'Public playlists of the channel’s owner', params: ChannelParams, response: { 200: PlaylistList, ...errors } },
    },
    async (request) => {
      const channel = await channels.find(request.params.channel);
      return { items: await app.services.playlists.listPublicOf(channel.user_id, request.viewer) };
    },
  );

  app.post(
    '/channels',
    {
      config: { auth: 'required' },
      schema: { tags: ['channels'], summary: 'Create another channel', body: CreateChannelBody, response: { 201: Channel, ...errors } },
    },
    async (request, reply) => reply.code(201).send(await channels.create(request.user, request.body)),
  );

  app.patch(
    '/channels/:channel',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['channels'],
        summary: 'Rename or describe a channel',
        params: ChannelParams,
        body: UpdateChannelBody,
        response: { 200: Channel, ...errors },
      },
    },
    async (request) => channels.update(request.params.channel, request.user, request.body),
  );

  for (const kind of ['avatar', 'banner'] as const) {
    app.put(
      `/channels/:channel/${kind}`,
      {
        config: { auth: 'required' },
        schema: {
          tags: ['channels'],
          summary: `Upload the channel ${kind} (raw JPEG/PNG/WebP/GIF body, recognised by its content; resized server-side)`,
          params: ChannelParams,
          response: { 200: Channel, ...errors, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody },
        },
      },
      async (request) => channels.setImage(request.params.channel, request.user, kind, request.body as Buffer),
    );
  }

  app.put(
    '/channels/:channel/subscription',
    { config: { auth: 'required' }, schema: { tags: ['channels'], summary: 'Subscribe', params: ChannelParams, response: { 200: Channel, ...errors } } },
    async (request) => channels.subscribe(request.params.channel, request.user, true),
  );
  app.delete(
    '/channels/:channel/subscription',
    { config: { auth: 'required' }, schema: { tags: ['channels'], summary: 'Unsubscribe', params: ChannelParams, response: { 200: Channel, ...errors } } },
    async (request) => channels.subscribe(request.params.channel, request.user, false),
  );

  app.get(
    '/users/me/channels',
    { config: { auth: 'required' }, schema: { tags: ['channels'], summary: 'My channels', response: { 200: ChannelList, ...errors } } },
    async (request) => ({
      items: await channels.listMine(request.user),
    }),
  );
  app.get(
    '/users/me/subscriptions',
    { config: { auth: 'required' }, schema: { tags: ['channels'], summary: 'Channels I subscribe to', response: { 200: ChannelList, ...errors } } },
    async (request) => ({ items: await channels.listSubscriptions(request.user) }),
  );
  app.get(
    '/feed/subscriptions',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['channels'],
        summary: 'Newest videos from my subscriptions',
        querystring: CursorQuery,
        response: { 200: VideoPage, ...errors },
      },
    },
    async (request) => videos.subscriptionFeed(request.user, request.query.cursor, request.query.limit ?? 24),
  );
}
