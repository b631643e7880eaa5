import { CompiledQuery, type Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Database } from '../infra/db/schema.ts';

/**
 * The jobs a video's lifecycle sends, owned by videos/ because it enqueues and cancels them inside its own
 * transactions; transcoding/ consumes them.
 */
export const TRANSCODE_QUEUE = 'video.transcode';
/** The queue of the chunked pipeline's video work: chunk tiers, thumbnails, finalize (see transcoding/chunked/). */
export const TRANSCODE_TASK_QUEUE = 'video.transcode-task';
/**
 * The audio task has a queue (and so a worker slot) of its own: it is cheap, and streams out from the first chunk
 * on, so it runs beside the video tasks instead of holding up the next chunk on a worker with one slot.
 */
export const TRANSCODE_AUDIO_QUEUE = 'video.transcode-audio';
export const TRANSCODE_TASK_QUEUES = [TRANSCODE_TASK_QUEUE, TRANSCODE_AUDIO_QUEUE] as const;

/** The queue a chunked task goes to. */
export function taskQueueOf(task: string): (typeof TRANSCODE_TASK_QUEUES)[number] {
  return task === 'audio' ? TRANSCODE_AUDIO_QUEUE : TRANSCODE_TASK_QUEUE;
}

export interface TranscodeJobData {
  videoId: string;
}

export function transcodeQueueOptions(config: Pick<Config, 'JOB_RETRY_LIMIT' | 'JOB_RETRY_DELAY'>): Omit<PgBoss.Queue, 'name'> {
  return {
    retryLimit: config.JOB_RETRY_LIMIT,
    retryDelay: config.JOB_RETRY_DELAY,
    retryBackoff: true,
    // Crash recovery is driven by video heartbeats (see TranscodeReaper); pg-boss's own expiry is only a backstop.
    expireInSeconds: 6 * 3600,
  };
}

/**
 * pg-boss hands out higher priorities first. A video whose attempt was interrupted (worker died or stopped) goes
 * back with this priority, so it is not queued behind everything uploaded since it first started.
 */
export const RESUMED_PRIORITY = 1;

/** Enqueues through the caller's transaction, so the job exists exactly when the status change commits. */
export async function enqueueTranscode(boss: PgBoss, trx: Transaction<Database>, videoId: string, options: { priority?: number } = {}): Promise<void> {
  // No singletonKey: a crashed worker's job stays "active" until pg-boss expires it, and the replacement job
  // must not wait for that. Two jobs for one video are harmless: only one can claim it (VideoRepository.claim).
  await boss.send(TRANSCODE_QUEUE, { videoId } satisfies TranscodeJobData, {
    ...(options.priority ? { priority: options.priority } : {}),
    db: {
      async executeSql(text: string, values: unknown[]) {
        const result = await trx.executeQuery(CompiledQuery.raw(text, values));
        return { rows: result.rows };
      },
    },
  });
}

/** Removes a deleted video's jobs that no worker has started. */
export async function cancelPendingTranscodes(trx: Transaction<Database>, videoId: string): Promise<void> {
  await trx.executeQuery(
    CompiledQuery.raw(`DELETE FROM pgboss.job WHERE name = $1 AND data->>'videoId' = $2 AND state IN ('created', 'retry')`, [TRANSCODE_QUEUE, videoId]),
  );
}

/**
 * The job a dead worker held stays `active` in pg-boss until its expiry (hours): a phantom in every queue count.
 * When its video is requeued (with a new job), the old job is closed as failed, in the same transaction.
 */
export async function closeAbandonedTranscodes(trx: Transaction<Database>, videoIds: string[]): Promise<number> {
  if (videoIds.length === 0) return 0;
  const result = await trx.executeQuery(
    CompiledQuery.raw(
      `UPDATE pgboss.job SET state = 'failed', completed_on = now(), output = jsonb_build_object('message', 'worker stopped responding; the video was queued again')
       WHERE name = $1 AND state = 'active' AND data->>'videoId' = ANY($2::text[])`,
      [TRANSCODE_QUEUE, videoIds],
    ),
  );
  return Number(result.numAffectedRows ?? 0);
}

/** Removes a deleted video's chunked task jobs that no worker has started (running ones notice at their next heartbeat). */
export async function cancelPendingTasks(trx: Transaction<Database>, videoId: string): Promise<void> {
  await trx.executeQuery(
    CompiledQuery.raw(`DELETE FROM pgboss.job WHERE name = ANY($1::text[]) AND data->>'videoId' = $2 AND state IN ('created', 'retry')`, [
      [...TRANSCODE_TASK_QUEUES],
      videoId,
    ]),
  );
}
