import PgBoss from 'pg-boss';
import type { Logger } from 'pino';

/** pg-boss on Tube's own PostgreSQL: a durable queue with no extra service. */
export async function startQueue(connectionString: string, logger: Logger): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString, schema: 'pgboss', max: 4 });
  boss.on('error', (error) => logger.error({ err: error }, 'queue error'));
  await boss.start();
  return boss;
}
