import type PgBoss from 'pg-boss';

/** A queue a worker process consumes: the handler does the work, the options say how pg-boss retries it. */
export interface JobDefinition<T extends object = object> {
  queue: string;
  options?: PgBoss.Queue extends infer Q ? Omit<Q & object, 'name'> : never;
  /** Cron schedule for periodic jobs (UTC). */
  schedule?: string;
  concurrency?: number;
  /** How often an idle worker asks for a job (pg-boss' minimum is 0.5 s); 1 s unless the queue is latency-critical. */
  pollingIntervalSeconds?: number;
  /** Called when the worker stops, after it stopped taking new jobs: abort or finish what is running. */
  shutdown?(): Promise<void>;
  handle(data: T, job: PgBoss.JobWithMetadata<T>): Promise<void>;
}
