import type { JobDefinition } from '../infra/queue/job-definition.ts';
import { PUBLISH_SCHEDULED_QUEUE, type VideoService } from './video.service.ts';

/**
 * Publishes scheduled videos. A job is sent for each scheduled moment (pg-boss `startAfter`), and a sweep every
 * minute catches any that a lost job or a stopped worker missed. Publishing is one conditional update, so the
 * overlap is harmless.
 */
export function publishingJobs(videos: Pick<VideoService, 'publishDue'>): JobDefinition[] {
  return [
    {
      queue: PUBLISH_SCHEDULED_QUEUE,
      schedule: '* * * * *',
      async handle() {
        await videos.publishDue();
      },
    },
  ];
}
