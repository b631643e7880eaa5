import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { VideoEvents } from '../videos/video-events.ts';
import type { NotificationRepository } from './notification.repository.ts';
import { enqueueEmail, NEW_VIDEO_EMAIL_QUEUE } from '../accounts/account.queues.ts';

/**
 * Hooks the video pipeline calls when a video changes state. Each checks the video's current state in the database
 * itself, so a stale or repeated call notifies nobody wrongly, and none of them throws: a notification failure
 * must never fail a transcode.
 */
export class VideoEventNotifier implements VideoEvents {
  private readonly logger: Logger;

  constructor(
    private readonly repo: NotificationRepository,
    private readonly queue: PgBoss,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'notifications' });
  }

  /** After markReady: `video_ready` to the uploader, `video_published` to subscribers if the video is public. */
  videoReady(videoId: string): Promise<void> {
    return this.run('video ready', videoId, () => this.repo.fanOutReady(videoId), true);
  }

  /** After markFailed: `video_failed`, with the reason, to the uploader. */
  videoFailed(videoId: string): Promise<void> {
    return this.run('video failed', videoId, () => this.repo.recordFailed(videoId));
  }

  /** For a ready video whose visibility changes to public: tells subscribers who have not been told yet. */
  videoBecamePublic(videoId: string): Promise<void> {
    return this.run('video became public', videoId, () => this.repo.fanOutPublished(videoId), true);
  }

  private async run(event: string, videoId: string, write: () => Promise<number>, emailSubscribers = false): Promise<void> {
    try {
      const recipients = await write();
      this.logger.debug({ videoId, recipients }, `notified: ${event}`);
      // The job emails those just notified in the app who asked for email too.
      if (emailSubscribers && recipients > 0) await enqueueEmail(this.queue, NEW_VIDEO_EMAIL_QUEUE, { videoId });
    } catch (error) {
      this.logger.warn({ err: error, videoId }, `could not send notifications for: ${event}`);
    }
  }
}
