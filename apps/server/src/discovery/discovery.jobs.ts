import type { Services } from '../services.ts';
import type { JobDefinition } from '../worker/worker.ts';

export const TRENDING_REFRESH_QUEUE = 'discovery.refresh-trending';

/** Periodic discovery work, run by worker processes (pg-boss runs each scheduled tick once across all workers). */
export function discoveryJobs(services: Services): JobDefinition[] {
  return [
    {
      queue: TRENDING_REFRESH_QUEUE,
      schedule: '*/5 * * * *',
      async handle() {
        await services.discovery.refreshTrending();
      },
    },
  ];
}
