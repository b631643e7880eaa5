import { queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { Channel, ChannelList, CreateChannelBody, PlaylistList, UpdateChannelBody, VideoPage } from '@tube/shared';
import { requestJson, withQuery, jsonBody, channelPath, PAGE_SIZE } from '../../api/client.ts';

export type ChannelImageKind = 'avatar' | 'banner';

export const channelsApi = {
  getChannel: (idOrHandle: string) => requestJson<Channel>(channelPath(idOrHandle)),
  listChannelVideos: (handle: string, cursor: string | null) =>
    requestJson<VideoPage>(withQuery(`${channelPath(handle)}/videos`, { cursor, limit: PAGE_SIZE })),
  listChannelPlaylists: (handle: string) => requestJson<PlaylistList>(`${channelPath(handle)}/playlists`),
  listMyChannels: () => requestJson<ChannelList>('/api/v1/users/me/channels'),
  createChannel: (body: CreateChannelBody) => requestJson<Channel>('/api/v1/channels', jsonBody('POST', body)),
  updateChannel: (channelId: string, body: UpdateChannelBody) => requestJson<Channel>(channelPath(channelId), jsonBody('PATCH', body)),
  /** The image goes as the raw request body; the server resizes it. */
  setChannelImage: (channelId: string, kind: ChannelImageKind, image: Blob) =>
    requestJson<Channel>(`${channelPath(channelId)}/${kind}`, { method: 'PUT', headers: { 'content-type': image.type }, body: image }),
  setSubscribed: (channelId: string, subscribed: boolean) =>
    requestJson<Channel>(`${channelPath(channelId)}/subscription`, { method: subscribed ? 'PUT' : 'DELETE' }),
  listSubscriptions: () => requestJson<ChannelList>('/api/v1/users/me/subscriptions'),
  subscriptionFeed: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/feed/subscriptions', { cursor, limit: PAGE_SIZE })),
};

export const channelKeys = {
  /** Every channel in the cache (a subscription change patches them all). */
  all: keyRoots.channels,
  channel: (handle: string) => [...keyRoots.channels, handle] as const,
  channelVideos: (handle: string) => [...keyRoots.videoLists, 'channel', handle] as const,
  channelPlaylists: (handle: string) => [...keyRoots.channels, handle, 'playlists'] as const,
  myChannels: [...keyRoots.me, 'channels'] as const,
  /** The studio's own copy of my channels (dropped with the studio on account change). */
  studioChannels: [...keyRoots.studio, 'channels'] as const,
  subscriptions: [...keyRoots.me, 'subscriptions'] as const,
  subscriptionFeed: [...keyRoots.me, 'feed', 'subscriptions'] as const,
};

export const channelQueries = {
  channel: (handle: string) => queryOptions({ queryKey: channelKeys.channel(handle), queryFn: () => channelsApi.getChannel(handle) }),
  channelPlaylists: (handle: string) =>
    queryOptions({ queryKey: channelKeys.channelPlaylists(handle), queryFn: () => channelsApi.listChannelPlaylists(handle) }),
  myChannels: () => queryOptions({ queryKey: channelKeys.myChannels, queryFn: () => channelsApi.listMyChannels() }),
  studioChannels: () => queryOptions({ queryKey: channelKeys.studioChannels, queryFn: () => channelsApi.listMyChannels() }),
  subscriptions: () => queryOptions({ queryKey: channelKeys.subscriptions, queryFn: () => channelsApi.listSubscriptions() }),
};
