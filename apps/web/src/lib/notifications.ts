import type { Notification } from '@tube/shared';

/** The sentence a notification shows. */
export function describeNotification(notification: Notification): string {
  const title = notification.video ? `“${notification.video.title}”` : 'a video';
  switch (notification.kind) {
    case 'video_published':
      return `${notification.channel?.name ?? 'A channel you subscribe to'} uploaded: ${notification.video?.title ?? 'a new video'}`;
    case 'video_ready':
      return `Your video ${title} is ready to watch`;
    case 'video_failed':
      return `Processing failed for ${title}${notification.reason ? `: ${notification.reason}` : ''}`;
  }
}

/** Where opening a notification leads: the video, or Studio for an upload that failed. */
export function notificationLink(notification: Notification): string | null {
  if (!notification.video) return null;
  if (notification.kind === 'video_failed') return `/studio?edit=${encodeURIComponent(notification.video.id)}`;
  return `/watch/${encodeURIComponent(notification.video.id)}`;
}

/** Badge text: the count, shortened past 99 like YouTube's bell. */
export function formatUnreadBadge(unread: number): string {
  return unread > 99 ? '99+' : String(unread);
}
