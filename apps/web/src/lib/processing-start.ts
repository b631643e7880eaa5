import type { Video } from '@tube/shared';

/**
 * What to tell an uploader about when processing starts (chunked pipeline): already running on the parts
 * uploaded so far, or waiting for the whole file and why. Null when there is nothing to say.
 */
export function processingStartText(video: Pick<Video, 'status' | 'processingStart' | 'processingStartNote'>): string | null {
  if (video.status !== 'awaiting_upload' && video.status !== 'queued') return null;
  if (video.processingStart === 'during_upload') return 'Processing has started: the parts already uploaded are being converted.';
  if (video.processingStart === 'at_completion') return video.processingStartNote ?? 'Processing starts when the upload completes.';
  return null;
}
