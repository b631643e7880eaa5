import { CompiledQuery, type Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Database } from '../infra/db/schema.ts';

export const TRANSCODE_QUEUE = 'video.transcode';

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

/** Enqueues through the caller's transaction, so the job exists exactly when the status change commits. */
export async function enqueueTranscode(boss: PgBoss, trx: Transaction<Database>, videoId: string): Promise<void> {
  // No singletonKey: a crashed worker's job stays "active" until pg-boss expires it, and the replacement job
  // must not wait for that. Two jobs for one video are harmless: only one can claim it (VideoRepository.claim).
  await boss.send(TRANSCODE_QUEUE, { videoId } satisfies TranscodeJobData, {
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
