import type { HistoryPage, Progress } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { decodeKeyset, encodeKeyset } from '../infra/db/keyset.ts';
import type { VideoService } from '../videos/video.service.ts';
import type { HistoryRepository } from './history.repository.ts';

/** Watch history with resume positions. */
export class HistoryService {
  constructor(
    private readonly repo: HistoryRepository,
    private readonly videos: VideoService,
  ) {}

  isPaused(user: AuthUser): Promise<boolean> {
    return this.repo.isPaused(user.id);
  }

  setPaused(user: AuthUser, paused: boolean): Promise<void> {
    return this.repo.setPaused(user.id, paused);
  }

  /** Records where the viewer is in a video (ignored while history is paused). */
  async saveProgress(user: AuthUser, videoId: string, positionSeconds: number): Promise<void> {
    const video = await this.videos.get(videoId, user);
    if (await this.isPaused(user)) return;
    const position = video.durationSeconds ? Math.min(positionSeconds, video.durationSeconds) : positionSeconds;
    await this.repo.savePosition(user.id, videoId, position);
  }

  /** Where to resume; null when never watched or finished (within the last 5%). */
  async progress(user: AuthUser, videoId: string): Promise<Progress> {
    const video = await this.videos.get(videoId, user);
    const position = await this.repo.position(user.id, videoId);
    if (position === null) return { positionSeconds: null };
    const nearEnd = video.durationSeconds !== null && position >= video.durationSeconds * 0.95;
    return { positionSeconds: nearEnd ? null : position };
  }

  /** Entries whose video the user may no longer see (made private, hidden) are left out of the page. */
  async list(user: AuthUser, cursor: string | undefined, limit: number): Promise<HistoryPage> {
    const rows = await this.repo.list(user.id, decodeKeyset('history', cursor, 'string'), limit + 1);
    const page = rows.slice(0, limit);
    const items: HistoryPage['items'] = [];
    for (const row of page) {
      const video = await this.videos.visibleDto(row, user);
      if (video) items.push({ video, positionSeconds: row.position_seconds, watchedAt: new Date(row.watched_at).toISOString() });
    }
    const last = page.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeKeyset('history', { key: last.position, id: last.id }) : null };
  }

  clear(user: AuthUser, videoId?: string): Promise<void> {
    return this.repo.clear(user.id, videoId);
  }
}
