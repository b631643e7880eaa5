import type PgBoss from 'pg-boss';
import type { Infra } from '../infra/infra.ts';
import type { Services } from '../services.ts';

/** A queue a worker process consumes: the handler does the work, the options say how pg-boss retries it. */
export interface JobDefinition<T extends object = object> {
  queue: string;
  options?: PgBoss.Queue extends infer Q ? Omit<Q & object, 'name'> : never;
  /** Cron schedule for periodic jobs (UTC). */
  schedule?: string;
  concurrency?: number;
  /** Called when the worker stops, after it stopped taking new jobs: abort or finish what is running. */
  shutdown?(): Promise<void>;
  handle(data: T, job: PgBoss.JobWithMetadata<T>): Promise<void>;
}

export function maintenanceJobs(services: Services): JobDefinition[] {
  return [
    {
      queue: 'maintenance.purge-sessions',
      schedule: '17 * * * *',
      async handle() {
        await services.auth.purgeStaleSessions();
      },
    },
  ];
}

/** Starts consuming every job queue; returns a function that stops taking new jobs. */
export async function startWorker(infra: Infra, jobs: JobDefinition[]): Promise<() => Promise<void>> {
  const { queue: boss, logger, metrics } = infra;
  const workerIds: string[] = [];
  for (const job of jobs) {
    await boss.createQueue(job.queue, { name: job.queue, ...job.options });
    if (job.schedule) await boss.schedule(job.queue, job.schedule);
    // pg-boss 10 runs one job at a time per work() registration, so concurrency = registrations.
    for (let slot = 0; slot < (job.concurrency ?? 1); slot++) {
    const id = await boss.work<object>(job.queue, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, async ([item]) => {
      if (!item) return;
      const stop = metrics.jobDuration.startTimer({ queue: job.queue });
      try {
        await job.handle(item.data, item);
        metrics.jobs.inc({ queue: job.queue, outcome: 'completed' });
      } catch (error) {
        metrics.jobs.inc({ queue: job.queue, outcome: 'failed' });
        logger.warn({ err: error, queue: job.queue, jobId: item.id }, 'job failed');
        throw error;
      } finally {
        stop();
      }
    });
    workerIds.push(id);
    }
  }
  logger.info({ queues: jobs.map((j) => j.queue) }, 'worker started');
  return async () => {
    for (const id of workerIds) await boss.offWork({ id });
    for (const job of jobs) await job.shutdown?.();
  };
}
