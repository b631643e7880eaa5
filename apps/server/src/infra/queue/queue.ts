import PgBoss from 'pg-boss';
import type { Logger } from 'pino';

/** PostgreSQL's "terminating connection due to administrator command": the database is shutting down. */
const ADMIN_SHUTDOWN = '57P01';

/** pg-boss on Tube's own PostgreSQL: a durable queue with no extra service. */
export async function startQueue(connectionString: string, logger: Logger, onError?: (error: Error) => void): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', max: 4 });
  // pg-boss reports lost connections and failed polls here and keeps polling; it carries on once the database is back.
  boss.on('error', (error: Error & { code?: string }) => {
    if (error.code === ADMIN_SHUTDOWN) logger.info('queue connection closed by database shutdown');
    else logger.error({ err: error }, 'queue error');
    onError?.(error);
  });
  await boss.start();
  return boss;
}
