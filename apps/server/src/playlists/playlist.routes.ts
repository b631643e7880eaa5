import { Type } from 'typebox';
import { CreatePlaylistBody, Playlist, PlaylistItemBody, PlaylistList, PlaylistParams, ReorderPlaylistBody, UpdatePlaylistBody } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401, 403, 404);

export async function playlistRoutes(app: App): Promise<void> {
  const { playlists } = app.services;

  app.get(
    '/users/me/playlists',
    { config: { auth: 'required' }, schema: { tags: ['playlists'], summary: 'My playlists, Watch later first', response: { 200: PlaylistList, ...errors } } },
    async (request) => ({
      items: await playlists.listMine(request.user),
    }),
  );
  app.post(
    '/playlists',
    {
      config: { auth: 'required' },
      schema: { tags: ['playlists'], summary: 'Create a playlist', body: CreatePlaylistBody, response: { 201: Playlist, ...errors } },
    },
    async (request, reply) => reply.code(201).send(await playlists.create(request.user, request.body)),
  );
  app.get(
    '/playlists/:id',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['playlists'],
        summary: 'A playlist with the videos the viewer may see, in order',
        params: PlaylistParams,
        response: { 200: Playlist, ...errors },
      },
    },
    async (request) => playlists.get(request.params.id, request.viewer),
  );
  app.patch(
    '/playlists/:id',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['playlists'],
        summary: 'Rename, describe or change visibility',
        params: PlaylistParams,
        body: UpdatePlaylistBody,
        response: { 200: Playlist, ...errors },
      },
    },
    async (request) => playlists.update(request.params.id, request.user, request.body),
  );
  app.delete(
    '/playlists/:id',
    {
      config: { auth: 'required' },
      schema: { tags: ['playlists'], summary: 'Delete a playlist', params: PlaylistParams, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await playlists.delete(request.params.id, request.user);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/playlists/:id/items',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['playlists'],
        summary: 'Append a video',
        params: PlaylistParams,
        body: PlaylistItemBody,
        response: { 200: Playlist, ...errors },
      },
    },
    async (request) => playlists.addVideo(request.params.id, request.user, request.body.videoId),
  );
  app.delete(
    '/playlists/:id/items/:videoId',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['playlists'],
        summary: 'Remove a video',
        params: Type.Object({ ...PlaylistParams.properties, videoId: Type.String({ format: 'uuid' }) }),
        response: { 200: Playlist, ...errors },
      },
    },
    async (request) => playlists.removeVideo(request.params.id, request.user, request.params.videoId),
  );
  app.put(
    '/playlists/:id/order',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['playlists'],
        summary: 'Reorder: every video id once, in the new order',
        params: PlaylistParams,
        body: ReorderPlaylistBody,
        response: { 200: Playlist, ...errors },
      },
    },
    async (request) => playlists.reorder(request.params.id, request.user, request.body.videoIds),
  );
}
