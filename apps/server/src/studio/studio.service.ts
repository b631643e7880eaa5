import type { StudioBulkBody, StudioBulkResult, StudioVideoPage, StudioVideoQuery } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { AppError, badRequest } from '../infra/http/errors.ts';
import type { PlaylistService } from '../playlists/playlist.service.ts';
import { toVideoDto } from '../videos/video.dto.ts';
import type { VideoService } from '../videos/video.service.ts';
import type { StudioRepository } from './studio.repository.ts';
import type { MediaUrls } from '../playback/media-urls.ts';

function decodeOffset(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('The cursor is not valid', 'invalid_cursor');
  return offset;
}

/** The creator's video list (search, filters, sort, stats) and the actions that apply to many videos at once. */
export class StudioService {
  constructor(
    private readonly repo: StudioRepository,
    private readonly videos: VideoService,
    private readonly playlists: PlaylistService,
    private readonly urls: MediaUrls,
  ) {}

  async list(user: AuthUser, query: StudioVideoQuery): Promise<StudioVideoPage> {
    const limit = query.limit ?? 24;
    const offset = decodeOffset(query.cursor);
    const [rows, total] = await Promise.all([this.repo.list(user.id, query, offset, limit + 1), this.repo.count(user.id, query)]);
    const items = rows.slice(0, limit);
    const stats = await this.repo.stats(items.map((row) => row.id));
    return {
      items: items.map((row) => toVideoDto(row, this.urls)),
      nextCursor: rows.length > limit ? Buffer.from(String(offset + limit)).toString('base64url') : null,
      total,
      stats: Object.fromEntries(
        stats.map((row) => [row.video_id, { viewsLast7Days: row.views, watchSecondsLast7Days: row.watch_seconds, heldComments: row.held }]),
      ),
    };
  }

  /** Applies one action to each video in turn; a video that fails (not yours, not ready…) does not stop the others. */
  async bulk(user: AuthUser, input: StudioBulkBody): Promise<StudioBulkResult> {
    if (input.action === 'set_visibility' && !input.visibility) throw badRequest('Choose the visibility to set', 'visibility_required');
    if (input.action === 'add_to_playlist' && !input.playlistId) throw badRequest('Choose the playlist to add to', 'playlist_required');
    const result: StudioBulkResult = { done: [], failed: [] };
    for (const id of input.ids) {
      try {
        if (input.action === 'set_visibility') await this.videos.update(id, user, { visibility: input.visibility! });
        else if (input.action === 'delete') await this.videos.delete(id, user);
        else await this.playlists.addVideo(input.playlistId!, user, id);
        result.done.push(id);
      } catch (error) {
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
        result.failed.push({ id, message: error.message });
      }
    }
    return result;
  }
}
