import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../infra/db/database.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { VideoRepository } from '../videos/video.repository.ts';
import type { Config } from '../config.ts';
import type { JobDefinition } from '../infra/queue/job-definition.ts';
import path from 'node:path';
import { removeStaleScratch } from '../infra/scratch.ts';
import {
  closeAbandonedTranscodes,
  enqueueTranscode,
  RESUMED_PRIORITY,
  TRANSCODE_QUEUE,
  transcodeQueueOptions,
  type TranscodeJobData,
} from '../videos/video.jobs.ts';
import type { TranscodeService } from './transcode.service.ts';
import { requeueAbandonedTasks } from './chunked/chunked.jobs.ts';
import { removeStaleChunkScratch } from './chunked/chunked-scratch.ts';
import type { ChunkedRepository } from './chunked/chunked.repository.ts';

/** The single-pass pipeline's job: one whole video per job (TRANSCODE_MODE=single; chunked.jobs.ts has the other). */
export function transcodeJobs(
  service: Pick<TranscodeService, 'process' | 'shutdown'>,
  config: Pick<Config, 'WORKER_CONCURRENCY' | 'JOB_RETRY_LIMIT' | 'JOB_RETRY_DELAY'>,
): JobDefinition[] {
  const job: JobDefinition<TranscodeJobData> = {
    queue: TRANSCODE_QUEUE,
    options: transcodeQueueOptions(config),
    concurrency: config.WORKER_CONCURRENCY,
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
export function startReaper(
  repo: VideoRepository,
  tasks: ChunkedRepository,
  db: Db,
  queue: PgBoss,
  metrics: Metrics,
  logger: Logger,
  config: Pick<Config, 'dataDir' | 'JOB_LEASE_SECONDS' | 'TRANSCODE_MODE'>,
): () => void {
  const pass = () => {
    db.transaction()
      .execute(async (trx) => {
        const ids = await repo.requeueAbandoned(trx, config.JOB_LEASE_SECONDS);
        for (const id of ids) await enqueueTranscode(queue, trx, id, { priority: RESUMED_PRIORITY });
        await closeAbandonedTranscodes(trx, ids);
        return ids;
      })
      .then(
        (ids) => {
          if (ids.length) logger.warn({ videoIds: ids }, 'requeued videos whose worker stopped responding');
          metrics.jobsRequeued.inc({ reason: 'worker_lost' }, ids.length);
        },
        (error: unknown) => logger.warn({ err: error }, 'reaper pass failed'),
      );
    Promise.all([removeStaleTranscodeScratch(repo, config), removeStaleChunkScratch(tasks, config)]).then(
      ([single, chunked]) => {
        const removed = [...single, ...chunked];
        if (removed.length) logger.info({ directories: removed }, 'removed scratch of transcode attempts that no longer run');
        metrics.scratchRemoved.inc(removed.length);
      },
      (error: unknown) => logger.warn({ err: error }, 'scratch clean-up failed'),
    );
    if (config.TRANSCODE_MODE === 'chunked')
      requeueAbandonedTasks(tasks, db, queue, logger, config).catch((error: unknown) => logger.warn({ err: error }, 'task reaper pass failed'));
  };
  // The first pass runs at start: a worker restarted after a crash cleans up after its previous life at once.
  pass();
  const timer = setInterval(pass, Math.max(1000, (config.JOB_LEASE_SECONDS * 1000) / 3));
  return () => clearInterval(timer);
}

/** `<videoId>-<first 8 characters of the claim token>`, as TranscodeService names an attempt's directory. */
const SCRATCH_NAME = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9a-f]{8})$/;

/** Scratch of attempts whose video is not being processed under that claim by a live worker. */
function removeStaleTranscodeScratch(repo: VideoRepository, config: Pick<Config, 'dataDir' | 'JOB_LEASE_SECONDS'>): Promise<string[]> {
  return removeStaleScratch(path.join(config.dataDir, 'work'), SCRATCH_NAME, async (names) => {
    const ids = [...new Set(names.map((name) => SCRATCH_NAME.exec(name)![1]!))];
    const claims = await repo.liveClaims(ids, config.JOB_LEASE_SECONDS);
    return new Set(claims.flatMap((claim) => (claim.worker_token ? [`${claim.id}-${claim.worker_token.slice(0, 8)}`] : [])));
  });
}
