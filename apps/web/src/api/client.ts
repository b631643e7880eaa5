/**
 * The HTTP plumbing every feature's api.ts builds on: the signed-in fetch, JSON helpers and resource paths.
 * The fetchers themselves live with their feature (features/<name>/api.ts).
 */
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

export async function requestJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await authClient.fetch(path, init);
  if (!response.ok) throw await readApiError(response);
  return (await response.json()) as T;
}

export async function requestNoContent(path: string, init?: RequestInit): Promise<void> {
  const response = await authClient.fetch(path, init);
  if (!response.ok) throw await readApiError(response);
}

export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const jsonBody = (method: string, body: object): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const videoPath = (id: string) => `/api/v1/videos/${encodeURIComponent(id)}`;
export const channelPath = (idOrHandle: string) => `/api/v1/channels/${encodeURIComponent(idOrHandle)}`;
export const commentPath = (id: string) => `/api/v1/comments/${encodeURIComponent(id)}`;
export const playlistPath = (id: string) => `/api/v1/playlists/${encodeURIComponent(id)}`;

export const PAGE_SIZE = 24;
