import type { Logger } from 'pino';
import type { Infra } from '../infra/infra.ts';
import { NotificationRepository } from './notification.repository.ts';

/**
 * Hooks the video pipeline calls when a video changes state. Each checks the video's current state in the database
 * itself, so a stale or repeated call notifies nobody wrongly, and none of them throws: a notification failure
 * must never fail a transcode.
 */
export class VideoEventNotifier {
  private readonly repo: NotificationRepository;
  private readonly logger: Logger;

  constructor(infra: Pick<Infra, 'db' | 'logger'>) {
    this.repo = new NotificationRepository(infra.db);
    this.logger = infra.logger.child({ component: 'notifications' });
  }

  /** After markReady: `video_ready` to the uploader, `video_published` to subscribers if the video is public. */
  videoReady(videoId: string): Promise<void> {
    return this.run('video ready', videoId, () => this.repo.fanOutReady(videoId));
  }

  /** After markFailed: `video_failed`, with the reason, to the uploader. */
  videoFailed(videoId: string): Promise<void> {
    return this.run('video failed', videoId, () => this.repo.recordFailed(videoId));
  }

  /** For a ready video whose visibility changes to public: tells subscribers who have not been told yet. */
  videoBecamePublic(videoId: string): Promise<void> {
    return this.run('video became public', videoId, () => this.repo.fanOutPublished(videoId));
  }

  private async run(event: string, videoId: string, write: () => Promise<number>): Promise<void> {
    try {
      const recipients = await write();
      this.logger.debug({ videoId, recipients }, `notified: ${event}`);
    } catch (error) {
      this.logger.warn({ err: error, videoId }, `could not send notifications for: ${event}`);
    }
  }
}
