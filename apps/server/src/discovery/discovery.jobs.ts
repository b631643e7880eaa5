import type { DiscoveryService } from './discovery.service.ts';
import type { JobDefinition } from '../infra/queue/job-definition.ts';

export const TRENDING_REFRESH_QUEUE = 'discovery.refresh-trending';

/** Periodic discovery work, run by worker processes (pg-boss runs each scheduled tick once across all workers). */
export function discoveryJobs(discovery: Pick<DiscoveryService, 'refreshTrending'>): JobDefinition[] {
  return [
    {
      queue: TRENDING_REFRESH_QUEUE,
      schedule: '*/5 * * * *',
      async handle() {
        await discovery.refreshTrending();
      },
    },
  ];
}
