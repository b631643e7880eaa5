import type { Notification, NotificationPage, NotificationQuery } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import type { MediaUrls } from '../playback/media-urls.ts';
import { posterFileOf } from '../videos/video.dto.ts';
import { decodeKeyset, encodeKeyset, pageOf } from '../infra/db/keyset.ts';
import type { NotificationRepository } from './notification.repository.ts';

const INBOX_ORDER = 'notifications';

type NotificationRow = Awaited<ReturnType<NotificationRepository['list']>>[number];

export class NotificationService {
  constructor(
    private readonly repo: NotificationRepository,
    private readonly urls: MediaUrls,
  ) {}

  async list(user: AuthUser, query: NotificationQuery): Promise<NotificationPage> {
    const limit = query.limit ?? 20;
    const rows = await this.repo.list(user.id, {
      after: decodeKeyset(INBOX_ORDER, query.cursor, 'string'),
      limit: limit + 1,
      unreadOnly: query.unread ?? false,
    });
    return pageOf(
      rows,
      limit,
      (row) => this.toDto(row),
      (row) => encodeKeyset(INBOX_ORDER, { key: row.position, id: row.id }),
    );
  }

  async unreadCount(user: AuthUser): Promise<{ unread: number }> {
    return { unread: await this.repo.unreadCount(user.id) };
  }

  /** Marks the given notifications (only the user's own) or all of them read; returns what is left unread. */
  async markRead(user: AuthUser, ids: string[] | undefined): Promise<{ unread: number }> {
    await this.repo.markRead(user.id, ids);
    return this.unreadCount(user);
  }

  private toDto(row: NotificationRow): Notification {
    const prefix = row.video_status === 'ready' ? row.video_media_prefix : null;
    const thumbnailUrl = prefix
      ? row.video_visibility === 'public'
        ? this.urls.publicUrl(prefix, posterFileOf(row))
        : this.urls.signedUrl({ prefix, linkGeneration: row.video_media_link_generation }, posterFileOf(row)).url
      : null;
    return {
      id: row.id,
      kind: row.kind,
      createdAt: row.created_at.toISOString(),
      read: row.read_at !== null,
      video: { id: row.video_id, title: row.video_title, thumbnailUrl, durationSeconds: row.video_duration_seconds },
      channel: row.channel_id && row.channel_handle && row.channel_name ? { id: row.channel_id, handle: row.channel_handle, name: row.channel_name } : null,
      reason: row.kind === 'video_failed' ? row.detail : null,
    };
  }
}
