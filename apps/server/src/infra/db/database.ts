import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// BIGINT counters come back as strings by default; ours stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * A connection can be cut at any time (PostgreSQL restart, failover, `pg_terminate_backend`). pg emits 'error' on
 * the client, and the pool only listens while a client is idle: one checked out by a request or a transaction
 * would crash the process. Every client gets a listener for its whole life; the query it was running fails on
 * its own (the request answers 503), and the pool discards the broken client and connects a new one.
 */
export function createDb(connectionString: string, poolSize: number, options: { onConnectionError?: (error: Error) => void } = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: 5000 });
  const lost = (error: Error) => options.onConnectionError?.(error);
  pool.on('error', lost);
  pool.on('connect', (client) => {
    client.on('error', lost);
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool };
}
