import pg from 'pg';

/** One key for all start-up DDL of every Tube process (hashtext('tube.startup') would do, a constant is clearer). */
const STARTUP_LOCK_KEY = 7_420_113_001;

/**
 * Runs start-up work that several processes do at once against the same database (migrations, pg-boss's schema
 * and queue creation, signing keys, admin promotion) one process at a time. Each piece is idempotent on its own
 * but not concurrently: pg-boss's `createQueue` creates partitions and foreign keys and deadlocks against another
 * process doing the same. A session-level advisory lock on a dedicated connection (not the pool's, so a pool of
 * one cannot wait on itself) serialises them; PostgreSQL releases it if the process dies holding it.
 */
export async function withStartupLock<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {
    // The lock dies with the connection; the work itself fails on its own connection if the database went away.
  });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
