import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../infra/db/database.ts';
import { runProcess, type FfmpegBinaries } from '../../infra/ffmpeg/ffmpeg.ts';
import type { JobDefinition } from '../../infra/queue/job-definition.ts';
import { TRANSCODE_QUEUE, transcodeQueueOptions, type TranscodeJobData } from '../../videos/video.jobs.ts';
import type { ChunkedRepository } from './chunked.repository.ts';
import { enqueueTask, TRANSCODE_AUDIO_QUEUE, TRANSCODE_TASK_QUEUE, type TranscodeTaskJobData } from './chunked.queue.ts';
import type { ChunkedTranscodeService } from './chunked.service.ts';
import type { MediaTools } from './media-tools.ts';

/** Upload → first frame crosses two queue hops (plan, then the first tasks): idle workers ask twice a second. */
const LATENCY_CRITICAL_POLL_SECONDS = 0.5;

export function ffmpegTools(binaries: FfmpegBinaries): MediaTools {
  return {
    ffmpeg: (args, options) => runProcess(binaries.ffmpeg, args, options ?? {}),
    ffprobe: (args) => runProcess(binaries.ffprobe, args),
  };
}

type TaskQueueConfig = Pick<Config, 'JOB_RETRY_LIMIT' | 'JOB_RETRY_DELAY' | 'WORKER_CONCURRENCY' | 'WORKER_BACKGROUND_SLOTS'>;

/** TRANSCODE_MODE=chunked: `video.transcode` jobs plan the video, task jobs do the work. */
export function chunkedTranscodeJobs(service: ChunkedTranscodeService, config: TaskQueueConfig): JobDefinition[] {
  const plan: JobDefinition<TranscodeJobData> = {
    queue: TRANSCODE_QUEUE,
    options: transcodeQueueOptions(config),
    pollingIntervalSeconds: LATENCY_CRITICAL_POLL_SECONDS,
    handle: (data) => service.plan(data.videoId),
  };
  return [plan as JobDefinition, ...chunkedTaskJobs(config, service)];
}

/**
 * The task queues of the chunked pipeline: video work (chunk tiers, thumbnails, finalize) on WORKER_CONCURRENCY
 * slots at normal CPU priority plus WORKER_BACKGROUND_SLOTS at low priority (`cpu-priority.ts`: they use the cores
 * the foreground encodes leave idle), and the audio on one slot of its own beside them.
 */
export function chunkedTaskJobs(config: TaskQueueConfig, service: ChunkedTranscodeService): JobDefinition[] {
  const handle: JobDefinition<TranscodeTaskJobData>['handle'] = (data, meta) =>
    service.runTask(data.videoId, data.task, { retryCount: meta.retryCount, retryLimit: meta.retryLimit });
  const video: JobDefinition<TranscodeTaskJobData> = {
    queue: TRANSCODE_TASK_QUEUE,
    options: transcodeQueueOptions(config),
    concurrency: config.WORKER_CONCURRENCY + config.WORKER_BACKGROUND_SLOTS,
    pollingIntervalSeconds: LATENCY_CRITICAL_POLL_SECONDS,
    handle,
    shutdown: () => service.shutdown(),
  };
  const audio: JobDefinition<TranscodeTaskJobData> = {
    queue: TRANSCODE_AUDIO_QUEUE,
    options: transcodeQueueOptions(config),
    concurrency: 1,
    pollingIntervalSeconds: LATENCY_CRITICAL_POLL_SECONDS,
    handle,
  };
  return [video as JobDefinition, audio as JobDefinition];
}

/** Tasks whose worker stopped sending heartbeats go back to the queue: a crash costs one chunk, not the video. */
export async function requeueAbandonedTasks(
  repo: ChunkedRepository,
  db: Db,
  queue: PgBoss,
  logger: Logger,
  config: Pick<Config, 'JOB_LEASE_SECONDS'>,
): Promise<number> {
  const tasks = await db.transaction().execute(async (trx) => {
    const abandoned = await repo.requeueAbandonedTasks(trx, config.JOB_LEASE_SECONDS);
    for (const task of abandoned) await enqueueTask(queue, trx, { videoId: task.video_id, task: task.task }, task.priority);
    return abandoned;
  });
  if (tasks.length) logger.warn({ tasks: tasks.map((task) => `${task.video_id}/${task.task}`) }, 'requeued transcode tasks whose worker stopped responding');
  return tasks.length;
}
