import { Type } from 'typebox';
import { CreatePlaylistBody, ErrorBody, Playlist, PlaylistItemBody, PlaylistList, PlaylistParams, ReorderPlaylistBody, UpdatePlaylistBody } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { optionalUser, requireUser } from '../http/auth-context.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const bearer = [{ bearer: [] }];

export async function playlistRoutes(app: App): Promise<void> {
  const { playlists } = app.services;

  app.get('/api/v1/users/me/playlists', { schema: { tags: ['playlists'], summary: 'My playlists, Watch later first', security: bearer, response: { 200: PlaylistList, ...errors } } }, async (request) => ({
    items: await playlists.listMine(await requireUser(request)),
  }));
  app.post('/api/v1/playlists', { schema: { tags: ['playlists'], summary: 'Create a playlist', security: bearer, body: CreatePlaylistBody, response: { 201: Playlist, ...errors } } }, async (request, reply) =>
    reply.code(201).send(await playlists.create(await requireUser(request), request.body)),
  );
  app.get('/api/v1/playlists/:id', { schema: { tags: ['playlists'], summary: 'A playlist with the videos the viewer may see, in order', params: PlaylistParams, response: { 200: Playlist, ...errors } } }, async (request) =>
    playlists.get(request.params.id, await optionalUser(request)),
  );
  app.patch(
    '/api/v1/playlists/:id',
    { schema: { tags: ['playlists'], summary: 'Rename, describe or change visibility', security: bearer, params: PlaylistParams, body: UpdatePlaylistBody, response: { 200: Playlist, ...errors } } },
    async (request) => playlists.update(request.params.id, await requireUser(request), request.body),
  );
  app.delete('/api/v1/playlists/:id', { schema: { tags: ['playlists'], summary: 'Delete a playlist', security: bearer, params: PlaylistParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await playlists.delete(request.params.id, await requireUser(request));
    return reply.code(204).send(null);
  });
  app.post(
    '/api/v1/playlists/:id/items',
    { schema: { tags: ['playlists'], summary: 'Append a video', security: bearer, params: PlaylistParams, body: PlaylistItemBody, response: { 200: Playlist, ...errors } } },
    async (request) => playlists.addVideo(request.params.id, await requireUser(request), request.body.videoId),
  );
  app.delete(
    '/api/v1/playlists/:id/items/:videoId',
    {
      schema: {
        tags: ['playlists'],
        summary: 'Remove a video',
        security: bearer,
        params: Type.Object({ ...PlaylistParams.properties, videoId: Type.String({ format: 'uuid' }) }),
        response: { 200: Playlist, ...errors },
      },
    },
    async (request) => playlists.removeVideo(request.params.id, await requireUser(request), request.params.videoId),
  );
  app.put(
    '/api/v1/playlists/:id/order',
    { schema: { tags: ['playlists'], summary: 'Reorder: every video id once, in the new order', security: bearer, params: PlaylistParams, body: ReorderPlaylistBody, response: { 200: Playlist, ...errors } } },
    async (request) => playlists.reorder(request.params.id, await requireUser(request), request.body.videoIds),
  );
}
