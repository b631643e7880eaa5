import type { JobDefinition } from '../infra/queue/job-definition.ts';
import type { DownloadMaker } from './download.maker.ts';
import { DOWNLOAD_QUEUE, downloadQueueOptions, type DownloadJobData } from './download.service.ts';

/** The worker side of downloads: one remux at a time per worker (it is disk and network bound, not CPU). */
export function downloadJobs(maker: Pick<DownloadMaker, 'make' | 'shutdown'>): JobDefinition[] {
  const job: JobDefinition<DownloadJobData> = {
    queue: DOWNLOAD_QUEUE,
    options: downloadQueueOptions,
    handle: (data) => maker.make(data),
    shutdown: () => maker.shutdown(),
  };
  return [job as JobDefinition];
}
