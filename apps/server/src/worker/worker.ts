import type { Infra } from '../infra/infra.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { JobDefinition } from '../infra/queue/job-definition.ts';
import { onQueueWakeup } from '../infra/queue/wakeups.ts';

export type { JobDefinition };

export function maintenanceJobs(auth: Pick<AuthService, 'purgeStaleSessions'>): JobDefinition[] {
  return [
    {
      queue: 'maintenance.purge-sessions',
      schedule: '17 * * * *',
      async handle() {
        await auth.purgeStaleSessions();
      },
    },
  ];
}

/** Starts consuming every job queue; returns a function that stops taking new jobs. */
export async function startWorker(infra: Infra, jobs: JobDefinition[]): Promise<() => Promise<void>> {
  const { queue: boss, logger, metrics } = infra;
  const workerIds: string[] = [];
  const unsubscribes: (() => void)[] = [];
  // Several processes starting at once would deadlock in createQueue; one lock for all of this process's queues.
  await infra.underStartupLock(async () => {
    for (const job of jobs) {
      await boss.createQueue(job.queue, { name: job.queue, ...job.options });
      if (job.schedule) await boss.schedule(job.queue, job.schedule);
    }
  });
  for (const job of jobs) {
    // pg-boss 10 runs one job at a time per work() registration, so concurrency = registrations.
    for (let slot = 0; slot < (job.concurrency ?? 1); slot++) {
      const pollingIntervalSeconds = job.pollingIntervalSeconds ?? 1;
      const id = await boss.work<object>(job.queue, { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, async ([item]) => {
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
      unsubscribes.push(onQueueWakeup(job.queue, () => boss.notifyWorker(id)));
    }
  }
  logger.info({ queues: jobs.map((j) => j.queue) }, 'worker started');
  return async () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
    for (const id of workerIds) await boss.offWork({ id });
    for (const job of jobs) await job.shutdown?.();
  };
}
