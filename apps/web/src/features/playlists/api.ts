import { queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { CreatePlaylistBody, Playlist, PlaylistList, UpdatePlaylistBody } from '@tube/shared';
import { requestJson, requestNoContent, jsonBody, playlistPath } from '../../api/client.ts';

export const playlistsApi = {
  listMyPlaylists: () => requestJson<PlaylistList>('/api/v1/users/me/playlists'),
  getPlaylist: (id: string) => requestJson<Playlist>(playlistPath(id)),
  createPlaylist: (body: CreatePlaylistBody) => requestJson<Playlist>('/api/v1/playlists', jsonBody('POST', body)),
  updatePlaylist: (id: string, body: UpdatePlaylistBody) => requestJson<Playlist>(playlistPath(id), jsonBody('PATCH', body)),
  deletePlaylist: (id: string) => requestNoContent(playlistPath(id), { method: 'DELETE' }),
  addToPlaylist: (id: string, videoId: string) => requestJson<Playlist>(`${playlistPath(id)}/items`, jsonBody('POST', { videoId })),
  removeFromPlaylist: (id: string, videoId: string) => requestJson<Playlist>(`${playlistPath(id)}/items/${encodeURIComponent(videoId)}`, { method: 'DELETE' }),
  reorderPlaylist: (id: string, videoIds: string[]) => requestJson<Playlist>(`${playlistPath(id)}/order`, jsonBody('PUT', { videoIds })),
};

export const playlistKeys = {
  all: keyRoots.playlists,
  playlist: (id: string) => [...keyRoots.playlists, id] as const,
  myPlaylists: [...keyRoots.me, 'playlists'] as const,
  /** The studio's bulk "add to playlist" list. */
  studioBulk: [...keyRoots.me, 'playlists', 'studio-bulk'] as const,
};

export const playlistQueries = {
  playlist: (id: string) => queryOptions({ queryKey: playlistKeys.playlist(id), queryFn: () => playlistsApi.getPlaylist(id) }),
  myPlaylists: () => queryOptions({ queryKey: playlistKeys.myPlaylists, queryFn: () => playlistsApi.listMyPlaylists() }),
  studioBulk: () => queryOptions({ queryKey: playlistKeys.studioBulk, queryFn: () => playlistsApi.listMyPlaylists() }),
};
