import { CompiledQuery, type Transaction } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database } from '../../infra/db/schema.ts';

import { TRANSCODE_AUDIO_QUEUE, TRANSCODE_TASK_QUEUE, TRANSCODE_TASK_QUEUES, taskQueueOf } from '../../videos/video.jobs.ts';

export { TRANSCODE_AUDIO_QUEUE, TRANSCODE_TASK_QUEUE, TRANSCODE_TASK_QUEUES };

export interface TranscodeTaskJobData {
  videoId: string;
  task: string;
}

/** The last step: enqueued by whichever task finishes last; may run twice (it is idempotent). */
export const FINALIZE_TASK = 'finalize';

/** Enqueues through the caller's transaction, so the job exists exactly when the task row does. */
export async function enqueueTask(boss: PgBoss, trx: Transaction<Database>, data: TranscodeTaskJobData, priority: number): Promise<void> {
  await boss.send(taskQueueOf(data.task), data satisfies TranscodeTaskJobData, {
    priority,
    db: {
      async executeSql(text: string, values: unknown[]) {
        const result = await trx.executeQuery(CompiledQuery.raw(text, values));
        return { rows: result.rows };
      },
    },
  });
}
