import type { Infra } from '../infra/infra.ts';
import { resolveFfmpeg } from '../infra/ffmpeg/ffmpeg.ts';
import { VideoRepository } from '../videos/video.repository.ts';
import type { JobDefinition } from '../worker/worker.ts';
import { enqueueTranscode, TRANSCODE_QUEUE, transcodeQueueOptions, type TranscodeJobData } from './transcode.queue.ts';
import { TranscodeService } from './transcode.service.ts';

export function transcodeJobs(infra: Infra): JobDefinition[] {
  const service = new TranscodeService(infra, resolveFfmpeg(infra.config, infra.logger));
  const job: JobDefinition<TranscodeJobData> = {
    queue: TRANSCODE_QUEUE,
    options: transcodeQueueOptions(infra.config),
    concurrency: infra.config.WORKER_CONCURRENCY,
    handle: (data, meta) => service.process(data.videoId, { retryCount: meta.retryCount, retryLimit: meta.retryLimit }),
    shutdown: () => service.shutdown(),
  };
  return [job as JobDefinition];
}

/**
 * Every worker watches for videos whose worker died (no heartbeat for JOB_LEASE_SECONDS) and queues them
 * again, so no video stays stuck in `processing`. Several reapers may run; the conditional update makes
 * exactly one of them requeue each video.
 */
export function startReaper(infra: Infra): () => void {
  const repo = new VideoRepository(infra.db);
  const { config, logger } = infra;
  const timer = setInterval(
    () => {
      infra.db
        .transaction()
        .execute(async (trx) => {
          const ids = await repo.requeueAbandoned(trx, config.JOB_LEASE_SECONDS);
          for (const id of ids) await enqueueTranscode(infra.queue, trx, id);
          return ids;
        })
        .then(
          (ids) => {
            if (ids.length) logger.warn({ videoIds: ids }, 'requeued videos whose worker stopped responding');
          },
          (error: unknown) => logger.warn({ err: error }, 'reaper pass failed'),
        );
    },
    Math.max(1000, (config.JOB_LEASE_SECONDS * 1000) / 3),
  );
  return () => clearInterval(timer);
}
