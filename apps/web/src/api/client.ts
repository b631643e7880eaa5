import type {
  Channel,
  ChannelList,
  Comment,
  CommentPage,
  CreateChannelBody,
  CreatedReport,
  CreatedVideo,
  CreatePlaylistBody,
  CreateReportBody,
  CreateVideoBody,
  HistoryPage,
  HistorySettings,
  NotificationPage,
  Playback,
  Playlist,
  PlaylistList,
  Progress,
  Quota,
  Rating,
  RatingState,
  RelatedVideos,
  ReportPage,
  ReportStatus,
  ResolvedReports,
  SearchDuration,
  SearchResults,
  SearchSort,
  SearchType,
  SearchUploaded,
  SessionList,
  Suggestions,
  TrendingPage,
  UnreadCount,
  UpdateChannelBody,
  UpdatePlaylistBody,
  UpdateVideoBody,
  Video,
  VideoPage,
} from '@tube/shared';
import { AuthClient, type ExclusiveLocks, type SessionAnnouncer } from './auth-client.ts';
import { readApiError } from './errors.ts';
import { browserTokenStore } from './token-store.ts';

// Web Locks exist only in secure contexts (https, localhost).
const locks: ExclusiveLocks | null = 'locks' in navigator ? navigator.locks : null;

const sessionChannel = 'BroadcastChannel' in window ? new BroadcastChannel('tube-session') : null;
const announce: SessionAnnouncer = (change) => sessionChannel?.postMessage(change);

export const authClient = new AuthClient({
  fetch: (input, init) => window.fetch(input, init),
  tokenStore: browserTokenStore(),
  locks,
  announce,
});

sessionChannel?.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.data === 'signedIn' || event.data === 'signedOut') void authClient.handleRemoteChange(event.data);
});

async function requestJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await authClient.fetch(path, init);
  if (!response.ok) throw await readApiError(response);
  return (await response.json()) as T;
}

async function requestNoContent(path: string, init?: RequestInit): Promise<void> {
  const response = await authClient.fetch(path, init);
  if (!response.ok) throw await readApiError(response);
}

function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const jsonBody = (method: string, body: object): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const videoPath = (id: string) => `/api/v1/videos/${encodeURIComponent(id)}`;
const channelPath = (idOrHandle: string) => `/api/v1/channels/${encodeURIComponent(idOrHandle)}`;
const commentPath = (id: string) => `/api/v1/comments/${encodeURIComponent(id)}`;
const playlistPath = (id: string) => `/api/v1/playlists/${encodeURIComponent(id)}`;

/** Search filters as the URL of the results page carries them; absent = no filter. */
export interface SearchFilters {
  type?: SearchType | undefined;
  duration?: SearchDuration | undefined;
  uploaded?: SearchUploaded | undefined;
  sort?: SearchSort | undefined;
}

export type CommentSort = 'top' | 'newest';
export type ChannelImageKind = 'avatar' | 'banner';

export const PAGE_SIZE = 24;

export const api = {
  listVideos: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/videos', { cursor, limit: PAGE_SIZE })),
  /** Servers without search answer 404, which the results page explains. */
  search: (query: string, filters: SearchFilters, cursor: string | null) =>
    requestJson<SearchResults>(withQuery('/api/v1/search', { q: query, ...filters, cursor, limit: 20 })),
  searchSuggestions: (typed: string, signal?: AbortSignal) =>
    requestJson<Suggestions>(withQuery('/api/v1/search/suggestions', { q: typed }), signal ? { signal } : undefined),
  trending: (cursor: string | null, limit = PAGE_SIZE) => requestJson<TrendingPage>(withQuery('/api/v1/feed/trending', { cursor, limit })),
  relatedVideos: (videoId: string) => requestJson<RelatedVideos>(withQuery(`${videoPath(videoId)}/related`, { limit: 20 })),

  getChannel: (idOrHandle: string) => requestJson<Channel>(channelPath(idOrHandle)),
  listChannelVideos: (handle: string, cursor: string | null) => requestJson<VideoPage>(withQuery(`${channelPath(handle)}/videos`, { cursor, limit: PAGE_SIZE })),
  listChannelPlaylists: (handle: string) => requestJson<PlaylistList>(`${channelPath(handle)}/playlists`),
  listMyChannels: () => requestJson<ChannelList>('/api/v1/users/me/channels'),
  createChannel: (body: CreateChannelBody) => requestJson<Channel>('/api/v1/channels', jsonBody('POST', body)),
  updateChannel: (channelId: string, body: UpdateChannelBody) => requestJson<Channel>(channelPath(channelId), jsonBody('PATCH', body)),
  /** The image goes as the raw request body; the server resizes it. */
  setChannelImage: (channelId: string, kind: ChannelImageKind, image: Blob) =>
    requestJson<Channel>(`${channelPath(channelId)}/${kind}`, { method: 'PUT', headers: { 'content-type': image.type }, body: image }),
  setSubscribed: (channelId: string, subscribed: boolean) => requestJson<Channel>(`${channelPath(channelId)}/subscription`, { method: subscribed ? 'PUT' : 'DELETE' }),
  listSubscriptions: () => requestJson<ChannelList>('/api/v1/users/me/subscriptions'),
  subscriptionFeed: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/feed/subscriptions', { cursor, limit: PAGE_SIZE })),

  getRating: (videoId: string) => requestJson<RatingState>(`${videoPath(videoId)}/rating`),
  rate: (videoId: string, rating: Rating) => requestJson<RatingState>(`${videoPath(videoId)}/rating`, jsonBody('PUT', { rating })),
  likedVideos: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/users/me/liked-videos', { cursor, limit: PAGE_SIZE })),

  listComments: (videoId: string, sort: CommentSort, cursor: string | null) =>
    requestJson<CommentPage>(withQuery(`${videoPath(videoId)}/comments`, { sort, cursor, limit: 20 })),
  listReplies: (commentId: string, cursor: string | null) => requestJson<CommentPage>(withQuery(`${commentPath(commentId)}/replies`, { cursor, limit: 20 })),
  addComment: (videoId: string, body: string, parentId?: string) =>
    requestJson<Comment>(`${videoPath(videoId)}/comments`, jsonBody('POST', parentId ? { body, parentId } : { body })),
  editComment: (commentId: string, body: string) => requestJson<Comment>(commentPath(commentId), jsonBody('PATCH', { body })),
  deleteComment: (commentId: string) => requestNoContent(commentPath(commentId), { method: 'DELETE' }),
  setCommentLiked: (commentId: string, liked: boolean) => requestJson<Comment>(`${commentPath(commentId)}/like`, { method: liked ? 'PUT' : 'DELETE' }),

  listMyPlaylists: () => requestJson<PlaylistList>('/api/v1/users/me/playlists'),
  getPlaylist: (id: string) => requestJson<Playlist>(playlistPath(id)),
  createPlaylist: (body: CreatePlaylistBody) => requestJson<Playlist>('/api/v1/playlists', jsonBody('POST', body)),
  updatePlaylist: (id: string, body: UpdatePlaylistBody) => requestJson<Playlist>(playlistPath(id), jsonBody('PATCH', body)),
  deletePlaylist: (id: string) => requestNoContent(playlistPath(id), { method: 'DELETE' }),
  addToPlaylist: (id: string, videoId: string) => requestJson<Playlist>(`${playlistPath(id)}/items`, jsonBody('POST', { videoId })),
  removeFromPlaylist: (id: string, videoId: string) => requestJson<Playlist>(`${playlistPath(id)}/items/${encodeURIComponent(videoId)}`, { method: 'DELETE' }),
  reorderPlaylist: (id: string, videoIds: string[]) => requestJson<Playlist>(`${playlistPath(id)}/order`, jsonBody('PUT', { videoIds })),

  getProgress: (videoId: string) => requestJson<Progress>(`${videoPath(videoId)}/progress`),
  /** `keepalive` lets the last save outlive the page when it is being closed. */
  saveProgress: (videoId: string, positionSeconds: number, keepalive = false) =>
    requestNoContent(`${videoPath(videoId)}/progress`, { ...jsonBody('PUT', { positionSeconds }), keepalive }),
  history: (cursor: string | null) => requestJson<HistoryPage>(withQuery('/api/v1/users/me/history', { cursor, limit: PAGE_SIZE })),
  clearHistory: () => requestNoContent('/api/v1/users/me/history', { method: 'DELETE' }),
  removeFromHistory: (videoId: string) => requestNoContent(`/api/v1/users/me/history/${encodeURIComponent(videoId)}`, { method: 'DELETE' }),
  historySettings: () => requestJson<HistorySettings>('/api/v1/users/me/history/settings'),
  setHistoryPaused: (paused: boolean) => requestJson<HistorySettings>('/api/v1/users/me/history/settings', jsonBody('PUT', { paused })),
  quota: () => requestJson<Quota>('/api/v1/users/me/quota'),

  notifications: (cursor: string | null) => requestJson<NotificationPage>(withQuery('/api/v1/notifications', { cursor, limit: 20 })),
  unreadNotifications: () => requestJson<UnreadCount>('/api/v1/notifications/unread-count'),
  /** Without ids, marks every notification read. */
  markNotificationsRead: (ids?: string[]) => requestJson<UnreadCount>('/api/v1/notifications/read', jsonBody('POST', ids ? { ids } : {})),

  report: (body: CreateReportBody) => requestJson<CreatedReport>('/api/v1/reports', jsonBody('POST', body)),
  listReports: (status: ReportStatus, cursor: string | null) => requestJson<ReportPage>(withQuery('/api/v1/admin/reports', { status, cursor, limit: 50 })),
  resolveReport: (reportId: string, action: 'hide' | 'dismiss') =>
    requestJson<ResolvedReports>(`/api/v1/admin/reports/${encodeURIComponent(reportId)}/resolve`, jsonBody('POST', { action })),
  setHidden: (targetType: 'video' | 'comment', targetId: string, hidden: boolean) =>
    requestNoContent(`/api/v1/admin/${targetType}s/${encodeURIComponent(targetId)}/${hidden ? 'hide' : 'unhide'}`, hidden ? jsonBody('POST', {}) : { method: 'POST' }),
  createVideo: (body: CreateVideoBody) => requestJson<CreatedVideo>('/api/v1/videos', jsonBody('POST', body)),
  getVideo: (id: string) => requestJson<Video>(videoPath(id)),
  getPlayback: (id: string) => requestJson<Playback>(`${videoPath(id)}/playback`),
  updateVideo: (id: string, body: UpdateVideoBody) => requestJson<Video>(videoPath(id), jsonBody('PATCH', body)),
  deleteVideo: (id: string) => requestNoContent(videoPath(id), { method: 'DELETE' }),
  retryVideo: (id: string) => requestJson<Video>(`${videoPath(id)}/retry`, { method: 'POST' }),
  reportView: (id: string) => requestNoContent(`${videoPath(id)}/views`, { method: 'POST' }),
  listStudioVideos: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/studio/videos', { cursor, limit: PAGE_SIZE })),
  listSessions: () => requestJson<SessionList>('/api/v1/auth/sessions'),
  revokeSession: (id: string) => requestNoContent(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  revokeOtherSessions: () => requestNoContent('/api/v1/auth/sessions?keepCurrent=true', { method: 'DELETE' }),
};

export const UPLOAD_ENDPOINT = '/api/v1/uploads';
