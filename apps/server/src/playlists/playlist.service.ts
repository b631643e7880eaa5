import type { CreatePlaylistBody, Playlist, PlaylistSummary, UpdatePlaylistBody, Video } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { badRequest, forbidden, notFound, unauthorized } from '../infra/http/errors.ts';
import type { VideoService } from '../videos/video.service.ts';
import type { PlaylistRepository, PlaylistRow } from './playlist.repository.ts';

export class PlaylistService {
  constructor(
    private readonly repo: PlaylistRepository,
    private readonly videos: VideoService,
  ) {}

  /** `watch-later` names the viewer's own Watch later list. */
  private async resolveId(id: string, viewer: AuthUser | null): Promise<string> {
    if (id !== 'watch-later') return id;
    if (!viewer) throw unauthorized('Sign in to use Watch later');
    return this.repo.watchLaterId(viewer.id);
  }

  /** Private playlists exist only for their owner; unlisted ones for anyone with the link. */
  private async visible(id: string, viewer: AuthUser | null): Promise<PlaylistRow> {
    const row = await this.repo.findById(await this.resolveId(id, viewer));
    const isOwner = viewer !== null && (row?.user_id === viewer.id || viewer.role === 'admin');
    if (!row || (row.visibility === 'private' && !isOwner)) throw notFound('Playlist not found');
    return row;
  }

  private async owned(id: string, user: AuthUser): Promise<PlaylistRow> {
    const row = await this.visible(id, user);
    if (row.user_id !== user.id) throw forbidden('Only the playlist’s owner can change it');
    return row;
  }

  /** Items the viewer may see, in playlist order: deleted, hidden or (others') private videos drop out. */
  private async itemsFor(row: PlaylistRow, viewer: AuthUser | null): Promise<Video[]> {
    const ids = await this.repo.itemVideoIds(row.id);
    const items: Video[] = [];
    for (const { video_id } of ids) {
      const video = await this.videos.get(video_id, viewer).catch(() => null);
      if (video && video.status === 'ready') items.push(video);
    }
    return items;
  }

  private summary(row: PlaylistRow, items: Video[] | null): PlaylistSummary {
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      visibility: row.visibility,
      kind: row.kind,
      videoCount: items ? items.length : row.video_count,
      thumbnailUrl: items?.[0]?.thumbnailUrl ?? null,
      owner: { id: row.user_id, username: row.owner_username },
      createdAt: row.created_at.toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async get(id: string, viewer: AuthUser | null): Promise<Playlist> {
    const row = await this.visible(id, viewer);
    const items = await this.itemsFor(row, viewer);
    return { ...this.summary(row, items), items };
  }

  /** A user's public playlists (for their channel pages), counting only what the viewer may see. */
  async listPublicOf(userId: string, viewer: AuthUser | null): Promise<PlaylistSummary[]> {
    const rows = (await this.repo.listByUser(userId, false)).slice(0, 50);
    return Promise.all(rows.map(async (row) => this.summary(row, await this.itemsFor(row, viewer))));
  }

  async listMine(user: AuthUser): Promise<PlaylistSummary[]> {
    await this.repo.watchLaterId(user.id);
    return (await this.repo.listByUser(user.id, true)).map((row) => this.summary(row, null));
  }

  async create(user: AuthUser, input: CreatePlaylistBody): Promise<Playlist> {
    const id = await this.repo.create({
      userId: user.id,
      title: input.title.trim(),
      description: input.description ?? '',
      visibility: input.visibility ?? 'private',
    });
    return this.get(id, user);
  }

  async update(id: string, user: AuthUser, input: UpdatePlaylistBody): Promise<Playlist> {
    const row = await this.owned(id, user);
    if (row.kind === 'watch_later' && (input.title !== undefined || input.visibility !== undefined))
      throw badRequest('Watch later cannot be renamed or shared', 'watch_later');
    await this.repo.update(row.id, {
      ...(input.title !== undefined ? { title: input.title.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
    });
    return this.get(row.id, user);
  }

  async delete(id: string, user: AuthUser): Promise<void> {
    const row = await this.owned(id, user);
    if (row.kind === 'watch_later') throw badRequest('Watch later cannot be deleted; remove its videos instead', 'watch_later');
    await this.repo.delete(row.id);
  }

  async addVideo(id: string, user: AuthUser, videoId: string): Promise<Playlist> {
    const row = await this.owned(id, user);
    const video = await this.videos.get(videoId, user);
    if (video.status !== 'ready') throw badRequest('Only published videos can be added to playlists', 'not_ready');
    await this.repo.addItem(row.id, videoId);
    return this.get(row.id, user);
  }

  async removeVideo(id: string, user: AuthUser, videoId: string): Promise<Playlist> {
    const row = await this.owned(id, user);
    if (!(await this.repo.removeItem(row.id, videoId))) throw notFound('That video is not in this playlist');
    return this.get(row.id, user);
  }

  /**
   * Reorders the videos the owner can see. Items they can no longer see (made private or hidden since) are
   * not in their view of the list, so they keep their relative order at the end.
   */
  async reorder(id: string, user: AuthUser, videoIds: string[]): Promise<Playlist> {
    const row = await this.owned(id, user);
    const current = (await this.repo.itemVideoIds(row.id)).map((item) => item.video_id);
    const visible = (await this.itemsFor(row, user)).map((video) => video.id);
    const same = visible.length === videoIds.length && new Set(videoIds).size === videoIds.length && videoIds.every((videoId) => visible.includes(videoId));
    if (!same) throw badRequest('Send every video of the playlist exactly once, in the new order', 'invalid_order');
    await this.repo.reorder(row.id, [...videoIds, ...current.filter((videoId) => !visible.includes(videoId))]);
    return this.get(row.id, user);
  }
}
