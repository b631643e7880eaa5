import type { CommentSort, SearchFilters } from './client.ts';

/**
 * React Query keys shared between pages. Everything that belongs to the signed-in person lives
 * under `me`, so it can be dropped in one go when the account changes.
 */
export const queryKeys = {
  video: (id: string) => ['video', id] as const,
  channel: (handle: string) => ['channel', handle] as const,
  channelVideos: (handle: string) => ['videos', 'channel', handle] as const,
  channelPlaylists: (handle: string) => ['channel', handle, 'playlists'] as const,
  search: (query: string, filters: SearchFilters) => ['search', query, filters] as const,
  suggestions: (typed: string) => ['suggestions', typed] as const,
  trending: ['videos', 'trending'] as const,
  related: (videoId: string) => ['videos', 'related', videoId] as const,
  rating: (videoId: string) => ['rating', videoId] as const,
  commentsOf: (videoId: string) => ['comments', videoId] as const,
  comments: (videoId: string, sort: CommentSort) => ['comments', videoId, sort] as const,
  replies: (commentId: string) => ['replies', commentId] as const,
  playlist: (id: string) => ['playlist', id] as const,

  me: ['me'] as const,
  myChannels: ['me', 'channels'] as const,
  myPlaylists: ['me', 'playlists'] as const,
  subscriptions: ['me', 'subscriptions'] as const,
  subscriptionFeed: ['me', 'feed', 'subscriptions'] as const,
  likedVideos: ['me', 'feed', 'liked'] as const,
  history: ['me', 'history'] as const,
  historySettings: ['me', 'history-settings'] as const,
  progress: (videoId: string) => ['me', 'progress', videoId] as const,
  quota: ['me', 'quota'] as const,
  notifications: ['me', 'notifications'] as const,
  unreadNotifications: ['me', 'notifications', 'unread'] as const,
  reports: (status: string) => ['me', 'admin', 'reports', status] as const,
};
