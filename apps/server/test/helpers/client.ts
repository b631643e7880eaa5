import type {
  Accepted,
  AccountDeletion,
  AccountExport,
  AccountStatus,
  AuthResult,
  ChangeEmailBody,
  ChangePasswordBody,
  Channel,
  ChannelList,
  Comment,
  CommentPage,
  CommentQuery,
  CreateCommentBody,
  CreateChannelBody,
  CreatedVideo,
  CreatePlaylistBody,
  CreateVideoBody,
  CursorQuery,
  HeldCommentList,
  HistoryPage,
  HistorySettings,
  LoginResult,
  NotificationPreferencesBody,
  Playlist,
  PlaylistList,
  Progress,
  Rating,
  RatingState,
  RegisterBody,
  SearchQuery,
  TokenPair,
  UpdateChannelBody,
  UpdatePlaylistBody,
  UpdateVideoBody,
  User,
  Video,
  VideoPage,
  VideoSearchResults,
} from '@tube/shared';
import type { App } from '../../src/http/app-types.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What `app.inject` answers, reduced to what tests read. */
export interface RawReply {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  json<T = unknown>(): T;
}

function query(params: Record<string, string | number | boolean | undefined> = {}): string {
  const entries = Object.entries(params).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([key, value]) => [key, String(value)])).toString()}` : '';
}

/**
 * A typed client for integration tests: `client.videos.create({ title })` instead of an `inject` call with a URL
 * string. Each call expects its success status and throws with the status and body otherwise; `request` gives the
 * raw reply for tests about refusals.
 */
export function apiClient(app: App, token?: string) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};

  async function request(method: Method, path: string, payload?: object): Promise<RawReply> {
    return app.inject({ method, url: `/api/v1${path}`, headers, ...(payload ? { payload } : {}) });
  }

  async function expect<T>(status: number, method: Method, path: string, payload?: object): Promise<T> {
    const reply = await request(method, path, payload);
    if (reply.statusCode !== status) throw new Error(`${method} /api/v1${path}: expected ${status}, got ${reply.statusCode} ${reply.body}`);
    return (status === 204 ? undefined : reply.json<T>()) as T;
  }

  return {
    request,
    /** The same client with another user's token (or anonymous without one). */
    as: (otherToken?: string) => apiClient(app, otherToken),
    auth: {
      /** Signed in at once (201); see `request` for EMAIL_VERIFICATION=required. */
      register: (body: RegisterBody) => expect<AuthResult>(201, 'POST', '/auth/register', body),
      login: (login: string, password: string) => expect<LoginResult>(200, 'POST', '/auth/login', { login, password }),
      refresh: (refreshToken: string) => expect<TokenPair>(200, 'POST', '/auth/refresh', { refreshToken }),
      verifyEmail: (token: string) => expect<void>(204, 'POST', '/auth/verify-email', { token }),
      me: () => expect<User>(200, 'GET', '/users/me'),
    },
    account: {
      status: () => expect<AccountStatus>(200, 'GET', '/account'),
      changePassword: (body: ChangePasswordBody) => expect<void>(204, 'PUT', '/account/password', body),
      changeEmail: (body: ChangeEmailBody) => expect<Accepted>(202, 'PUT', '/account/email', body),
      changeUsername: (username: string) => expect<User>(200, 'PUT', '/account/username', { username }),
      notifications: (body: NotificationPreferencesBody) => expect<AccountStatus>(200, 'PATCH', '/account/notifications', body),
      export: () => expect<AccountExport>(200, 'GET', '/account/export'),
      delete: (password: string) => expect<AccountDeletion>(202, 'DELETE', '/account', { password }),
    },
    videos: {
      create: (body: CreateVideoBody) => expect<CreatedVideo>(201, 'POST', '/videos', body),
      get: (id: string) => expect<Video>(200, 'GET', `/videos/${id}`),
      update: (id: string, body: UpdateVideoBody) => expect<Video>(200, 'PATCH', `/videos/${id}`, body),
      delete: (id: string) => expect<void>(204, 'DELETE', `/videos/${id}`),
      list: (page: CursorQuery = {}) => expect<VideoPage>(200, 'GET', `/videos${query(page)}`),
      mine: (page: CursorQuery = {}) => expect<VideoPage>(200, 'GET', `/users/me/videos${query(page)}`),
      liked: (page: CursorQuery = {}) => expect<VideoPage>(200, 'GET', `/users/me/liked-videos${query(page)}`),
      rating: (id: string) => expect<RatingState>(200, 'GET', `/videos/${id}/rating`),
      rate: (id: string, rating: Rating) => expect<RatingState>(200, 'PUT', `/videos/${id}/rating`, { rating }),
    },
    comments: {
      list: (videoId: string, params: CommentQuery = {}) => expect<CommentPage>(200, 'GET', `/videos/${videoId}/comments${query(params)}`),
      create: (videoId: string, body: CreateCommentBody) => expect<Comment>(201, 'POST', `/videos/${videoId}/comments`, body),
      replies: (id: string, page: CursorQuery = {}) => expect<CommentPage>(200, 'GET', `/comments/${id}/replies${query(page)}`),
      edit: (id: string, body: string) => expect<Comment>(200, 'PATCH', `/comments/${id}`, { body }),
      delete: (id: string) => expect<void>(204, 'DELETE', `/comments/${id}`),
      like: (id: string) => expect<Comment>(200, 'PUT', `/comments/${id}/like`),
      unlike: (id: string) => expect<Comment>(200, 'DELETE', `/comments/${id}/like`),
      /** The studio's queue of comments waiting for the owner's approval. */
      held: () => expect<HeldCommentList>(200, 'GET', '/studio/comments/held'),
      approve: (id: string) => expect<Comment>(200, 'POST', `/comments/${id}/approve`),
    },
    search: {
      videos: (params: Omit<SearchQuery, 'type'>) => expect<VideoSearchResults>(200, 'GET', `/search${query({ ...params, type: 'videos' })}`),
    },
    channels: {
      create: (body: CreateChannelBody) => expect<Channel>(201, 'POST', '/channels', body),
      get: (idOrHandle: string) => expect<Channel>(200, 'GET', `/channels/${idOrHandle}`),
      videos: (idOrHandle: string, page: CursorQuery = {}) => expect<VideoPage>(200, 'GET', `/channels/${idOrHandle}/videos${query(page)}`),
      update: (idOrHandle: string, body: UpdateChannelBody) => expect<Channel>(200, 'PATCH', `/channels/${idOrHandle}`, body),
      mine: () => expect<ChannelList>(200, 'GET', '/users/me/channels'),
      subscriptions: () => expect<ChannelList>(200, 'GET', '/users/me/subscriptions'),
      feed: (page: CursorQuery = {}) => expect<VideoPage>(200, 'GET', `/feed/subscriptions${query(page)}`),
      subscribe: (idOrHandle: string) => expect<Channel>(200, 'PUT', `/channels/${idOrHandle}/subscription`),
      unsubscribe: (idOrHandle: string) => expect<Channel>(200, 'DELETE', `/channels/${idOrHandle}/subscription`),
      playlists: (idOrHandle: string) => expect<PlaylistList>(200, 'GET', `/channels/${idOrHandle}/playlists`),
    },
    /** A playlist id is a uuid or `watch-later`. */
    playlists: {
      create: (body: CreatePlaylistBody) => expect<Playlist>(201, 'POST', '/playlists', body),
      get: (id: string) => expect<Playlist>(200, 'GET', `/playlists/${id}`),
      update: (id: string, body: UpdatePlaylistBody) => expect<Playlist>(200, 'PATCH', `/playlists/${id}`, body),
      delete: (id: string) => expect<void>(204, 'DELETE', `/playlists/${id}`),
      mine: () => expect<PlaylistList>(200, 'GET', '/users/me/playlists'),
      addItem: (id: string, videoId: string) => expect<Playlist>(200, 'POST', `/playlists/${id}/items`, { videoId }),
      removeItem: (id: string, videoId: string) => expect<Playlist>(200, 'DELETE', `/playlists/${id}/items/${videoId}`),
      reorder: (id: string, videoIds: string[]) => expect<Playlist>(200, 'PUT', `/playlists/${id}/order`, { videoIds }),
    },
    history: {
      list: (page: CursorQuery = {}) => expect<HistoryPage>(200, 'GET', `/users/me/history${query(page)}`),
      clear: () => expect<void>(204, 'DELETE', '/users/me/history'),
      remove: (videoId: string) => expect<void>(204, 'DELETE', `/users/me/history/${videoId}`),
      settings: () => expect<HistorySettings>(200, 'GET', '/users/me/history/settings'),
      updateSettings: (body: HistorySettings) => expect<HistorySettings>(200, 'PUT', '/users/me/history/settings', body),
      progress: (videoId: string) => expect<Progress>(200, 'GET', `/videos/${videoId}/progress`),
      saveProgress: (videoId: string, positionSeconds: number) => expect<void>(204, 'PUT', `/videos/${videoId}/progress`, { positionSeconds }),
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
