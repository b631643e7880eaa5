import type { Config } from '../config.ts';
import type { JobDefinition } from '../infra/queue/job-definition.ts';
import type { AnalyticsRepository } from './analytics.repository.ts';

export const ANALYTICS_PURGE_QUEUE = 'analytics.purge';

/** Hourly retention sweep: old per-hour and per-day figures, yesterday's viewer hashes and salts. */
export function analyticsJobs(repo: Pick<AnalyticsRepository, 'purge'>, config: Pick<Config, 'ANALYTICS_RETENTION_DAYS'>): JobDefinition[] {
  return [
    {
      queue: ANALYTICS_PURGE_QUEUE,
      schedule: '7 * * * *',
      async handle() {
        await repo.purge(config.ANALYTICS_RETENTION_DAYS);
      },
    },
  ];
}
