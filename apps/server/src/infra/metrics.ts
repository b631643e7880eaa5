import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One registry per process role instance, so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'tube_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'tube_jobs_total',
      help: 'Background jobs by queue and outcome',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    videosByStatus: new Gauge({
      name: 'tube_videos',
      help: 'Videos by processing status (read from PostgreSQL at scrape time)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'tube_job_duration_seconds',
      help: 'Background job duration by queue',
      labelNames: ['queue'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    dependencyErrors: new Counter({
      name: 'tube_dependency_errors_total',
      help: 'Failed calls to a dependency (redis: commands that failed or timed out; database: connections lost or refused)',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'tube_queue_depth',
      help: 'Jobs waiting to start, by queue (read from PostgreSQL at scrape time)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    queueOldestSeconds: new Gauge({
      name: 'tube_queue_oldest_job_age_seconds',
      help: 'Age of the oldest job waiting to start, by queue (0 when none waits)',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    jobsRequeued: new Counter({
      name: 'tube_jobs_requeued_total',
      help: 'Transcodes put back in the queue by this process, by reason (retry after an error, worker stopped responding)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    orphanedUploadsSwept: new Counter({
      name: 'tube_orphaned_uploads_swept_total',
      help: 'Uploads whose completion was interrupted and that a sweep finished or removed',
      registers: [registry],
    }),
    scratchRemoved: new Counter({
      name: 'tube_stale_scratch_removed_total',
      help: 'Scratch directories of dead transcode attempts removed by a worker',
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
