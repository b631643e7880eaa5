import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/infra/db/database.ts';
import { migrateToLatest } from '../../src/infra/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/infra/db/migrations');

/** The migration names the migrator should apply: every NNNN_name.ts file, in order. */
async function expectedMigrationNames(): Promise<string[]> {
  return (await readdir(migrationsDir))
    .filter((file) => /^\d{4}_.+\.ts$/.test(file))
    .sort()
    .map((file) => file.replace(/\.ts$/, ''));
}

async function appliedMigrations(db: Db): Promise<{ name: string; count: number }[]> {
  const { rows } = await sql<{ name: string; count: number }>`
    SELECT name, count(*)::int AS count FROM kysely_migration GROUP BY name ORDER BY name`.execute(db);
  return rows;
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`SELECT to_regclass(${`public.${table}`}) IS NOT NULL AS present`.execute(db);
  return rows[0]?.present ?? false;
}

describe('migrateToLatest', () => {
  let database: TestDatabase;
  /** Three independent pools, as three processes starting at once would have. */
  let processes: Db[];
  let expected: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    processes = Array.from({ length: 3 }, () => createDb(database.url, 3).db);
    expected = await expectedMigrationNames();
  });

  afterAll(async () => {
    await Promise.all((processes ?? []).map((db) => db.destroy()));
    await database?.drop();
  });

  it('finds at least the first migration to apply', () => {
    expect(expected[0]).toBe('0001_accounts');
  });

  it('run by three processes at once, applies every migration exactly once', async () => {
    const results = await Promise.allSettled(processes.map((db) => migrateToLatest(db)));
    const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    expect(failures).toEqual([]);
    const appliedByEach = results.map((result) => (result.status === 'fulfilled' ? result.value : []));

    // Between them the three runs applied each migration once, in order, and no migration twice.
    const appliedByAll = appliedByEach.flat();
    expect([...appliedByAll].sort()).toEqual(expected);
    for (const applied of appliedByEach) expect(applied).toEqual([...applied].sort());

    expect(await appliedMigrations(processes[0]!)).toEqual(expected.map((name) => ({ name, count: 1 })));
  });

  it('leaves the schema in place', async () => {
    for (const table of ['users', 'external_identities', 'channels']) expect(await tableExists(processes[1]!, table)).toBe(true);
    expect(await tableExists(processes[1]!, 'kysely_migration')).toBe(true);
  });

  it('releases the migration lock (a PostgreSQL advisory lock) on every pooled connection', async () => {
    const { rows } = await sql<{ held: number }>`
      SELECT count(*)::int AS held FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(processes[1]!);
    expect(rows).toEqual([{ held: 0 }]);
  });

  it('applies nothing when run again, from every process', async () => {
    expect(await Promise.all(processes.map((db) => migrateToLatest(db)))).toEqual([[], [], []]);
    expect(await appliedMigrations(processes[2]!)).toEqual(expected.map((name) => ({ name, count: 1 })));
  });

  it('reports a failing migration by name and leaves no half-applied state', async () => {
    // A table that the first migration creates already exists in a second fresh database, so 0001 fails.
    const clashing = await createTestDatabase();
    const { db } = createDb(clashing.url, 2);
    try {
      await sql`CREATE TABLE users (id int)`.execute(db);
      await expect(migrateToLatest(db)).rejects.toThrow(/Migration 0001_accounts failed: .*users.*already exists/);
      // The migration ran in a transaction: nothing of it is left, and it is not recorded as applied.
      expect(await tableExists(db, 'channels')).toBe(false);
      expect(await appliedMigrations(db)).toEqual([]);
    } finally {
      await db.destroy();
      await clashing.drop();
    }
  });
});
