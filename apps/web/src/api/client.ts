import type { Channel, CreatedVideo, CreateVideoBody, Playback, SearchResults, SessionList, UpdateVideoBody, Video, VideoPage } from '@tube/shared';
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

export const PAGE_SIZE = 24;

export const api = {
  listVideos: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/videos', { cursor, limit: PAGE_SIZE })),
  /** Servers without search answer 404, which the results page explains. */
  searchVideos: async (query: string, cursor: string | null): Promise<VideoPage> => {
    const results = await requestJson<SearchResults>(withQuery('/api/v1/search', { q: query, type: 'videos', cursor, limit: 20 }));
    return results.type === 'videos' ? { items: results.items, nextCursor: results.nextCursor } : { items: [], nextCursor: null };
  },
  getChannel: (handle: string) => requestJson<Channel>(`/api/v1/channels/${encodeURIComponent(handle)}`),
  listChannelVideos: (handle: string, cursor: string | null) =>
    requestJson<VideoPage>(withQuery(`/api/v1/channels/${encodeURIComponent(handle)}/videos`, { cursor, limit: PAGE_SIZE })),
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
