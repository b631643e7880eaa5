import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../infra/db/database.ts';
import type { Storage } from '../infra/storage/storage.ts';
import { sharedSecret } from './fleet-secrets.ts';

/** A process that missed heartbeats for this long is no longer counted as part of the fleet (e.g. after kill -9). */
export const NODE_STALE_SECONDS = 30;
const HEARTBEAT_SECONDS = 10;
/** Written into storage by the fleet, so a node whose `MEDIA_DIR` (or bucket) is not the shared one is caught. */
export const STORAGE_MARKER_KEY = 'fleet/id';

/** A fleet-wide setting as one node sees it: what it is called in the README and the value it started with. */
interface FleetSetting {
  setting: string;
  value: string | null;
  /** Settings that only matter to processes serving the API (token issuer, link bases). */
  apiOnly: boolean;
}

export class FleetMismatchError extends Error {}

/** Registry rows of this process (tests run several nodes in one process; a container restart reuses its pid). */
const ownNodes = new Set<string>();

const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('base64url').slice(0, 16);

/** What must be the same on every process, as far as one process can tell. */
export function fleetSettings(config: Config, signingSecret: string): FleetSetting[] {
  return [
    { setting: 'PUBLIC_URL', value: config.publicUrl, apiOnly: true },
    { setting: 'MEDIA_BASE_URL', value: config.MEDIA_BASE_URL ?? null, apiOnly: true },
    { setting: 'MEDIA_URL_TTL', value: String(config.MEDIA_URL_TTL), apiOnly: true },
    { setting: 'AUTH_OIDC_ISSUER', value: config.AUTH_OIDC_ISSUER ?? null, apiOnly: true },
    { setting: 'AUTH_OIDC_AUDIENCE', value: config.AUTH_OIDC_AUDIENCE ?? null, apiOnly: true },
    // Only a fingerprint: the registry is readable by anyone with database access, the secret stays in fleet_secrets.
    { setting: 'MEDIA_SIGNING_SECRET', value: fingerprint(signingSecret), apiOnly: false },
    { setting: 'REDIS_KEY_PREFIX', value: config.REDIS_URL ? config.REDIS_KEY_PREFIX : null, apiOnly: false },
    { setting: 'STORAGE_DRIVER', value: config.storageDriver, apiOnly: false },
    { setting: 'S3_BUCKET', value: config.storageDriver === 's3' ? (config.S3_BUCKET ?? null) : null, apiOnly: false },
    { setting: 'S3_ENDPOINT', value: config.storageDriver === 's3' ? (config.S3_ENDPOINT ?? null) : null, apiOnly: false },
  ];
}

const servesApi = (role: string) => role !== 'worker';

/**
 * The registry of running processes (`fleet_nodes`). At start a process compares its fleet-wide settings with
 * the live ones registered (under a lock, so two processes starting together are compared too) and refuses to
 * start on a mismatch, naming the setting; then it heartbeats until it stops and removes its row.
 */
export class FleetRegistry {
  readonly nodeId = randomUUID();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly storage: Storage,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  async join(signingSecret: string): Promise<void> {
    const mine = fleetSettings(this.config, signingSecret);
    const role = this.config.ROLE;
    // Read before the lock is taken: a pool of one connection must not wait for itself.
    const fleetId = await sharedSecret(this.db, 'fleet_id');
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('tube.fleet_nodes'))`.execute(trx);
      await trx.deleteFrom('fleet_nodes').where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${NODE_STALE_SECONDS})`).execute();
      const registered = await trx.selectFrom('fleet_nodes').selectAll().execute();
      // A process of this machine that is gone (crashed, kill -9, or an earlier life of this very container with
      // the same pid) left its row behind: it is not part of the fleet, whatever its last heartbeat says.
      const gone = registered.filter((node) => node.hostname === hostname() && (node.pid === process.pid ? !ownNodes.has(node.id) : !processExists(node.pid)));
      if (gone.length)
        await trx
          .deleteFrom('fleet_nodes')
          .where(
            'id',
            'in',
            gone.map((node) => node.id),
          )
          .execute();
      const live = registered.filter((node) => !gone.includes(node));
      for (const node of this.config.FLEET_CHECKS ? live : []) {
        const where = `the ${node.role} process ${node.pid} on ${node.hostname}`;
        if (!this.config.REDIS_URL || node.settings.REDIS_KEY_PREFIX === null) {
          throw new FleetMismatchError(
            `Another Tube process is running on this database (${where}) and ${this.config.REDIS_URL ? 'it has' : 'this one has'} no REDIS_URL: ` +
              'several processes must share one Redis for caches, rate limits and view counts. Set REDIS_URL on every process.',
          );
        }
        for (const { setting, value, apiOnly } of mine) {
          if (apiOnly && !(servesApi(role) && servesApi(node.role))) continue;
          const theirs = node.settings[setting] ?? null;
          if (theirs === value) continue;
          const shown = (v: string | null) => (v === null ? 'unset' : setting === 'MEDIA_SIGNING_SECRET' ? 'a different secret' : `"${v}"`);
          throw new FleetMismatchError(
            `${setting} is ${setting === 'MEDIA_SIGNING_SECRET' ? 'not the secret' : shown(value)} here but ${shown(theirs)} on ${where}. ` +
              'Every process of a fleet must start with the same value (see the README, "Scaling out"); change it on all of them and restart them together.',
          );
        }
      }
      await this.checkSharedStorage(fleetId, this.config.FLEET_CHECKS && live.length > 0);
      await trx
        .insertInto('fleet_nodes')
        .values({
          id: this.nodeId,
          role,
          hostname: hostname(),
          pid: process.pid,
          settings: JSON.stringify(Object.fromEntries(mine.map(({ setting, value }) => [setting, value]))),
        })
        .execute();
    });
    ownNodes.add(this.nodeId);
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_SECONDS * 1000);
    this.timer.unref();
  }

  /**
   * The fleet's id lives in PostgreSQL and in storage. A process whose storage lacks it (or holds another
   * fleet's) while others are running is looking at a different directory or bucket: its uploads and
   * renditions would be invisible to the rest.
   */
  private async checkSharedStorage(fleetId: string, othersRunning: boolean): Promise<void> {
    let stored: string | null;
    try {
      const object = await this.storage.read(STORAGE_MARKER_KEY);
      stored = object ? await streamToString(object.body) : null;
    } catch (error) {
      // Storage being down is an outage, not a misconfiguration: start anyway and let /readyz report it.
      this.logger.warn({ err: error }, 'storage unreachable at start: the shared-storage check is skipped');
      return;
    }
    if (stored === fleetId) return;
    if (othersRunning) {
      const where = this.config.storageDriver === 's3' ? `bucket "${this.config.S3_BUCKET}"` : `MEDIA_DIR ${this.config.mediaDir}`;
      throw new FleetMismatchError(
        `This process's storage (${where}) is not the one the running Tube processes use. ` +
          'Every process must see the same media: one S3 bucket, or one MEDIA_DIR shared by every machine (e.g. NFS).',
      );
    }
    await this.storage.put(STORAGE_MARKER_KEY, fleetId, 'text/plain').catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not write the fleet marker into storage; the next start writes it');
    });
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.db.updateTable('fleet_nodes').set({ heartbeat_at: sql<Date>`now()` }).where('id', '=', this.nodeId).execute();
    } catch (error) {
      this.logger.warn({ err: error }, 'fleet heartbeat failed; will retry');
    }
  }

  /** Leaves the fleet (graceful shutdown): stops the heartbeat and removes this process's row. */
  async leave(): Promise<void> {
    ownNodes.delete(this.nodeId);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.db
      .deleteFrom('fleet_nodes')
      .where('id', '=', this.nodeId)
      .execute()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not leave the fleet registry; the row expires by itself'));
  }

  /** Live processes, for operators and tests. */
  async liveNodes(): Promise<{ id: string; role: string; hostname: string; pid: number }[]> {
    return this.db
      .selectFrom('fleet_nodes')
      .select(['id', 'role', 'hostname', 'pid'])
      .where('heartbeat_at', '>=', sql<Date>`now() - make_interval(secs => ${NODE_STALE_SECONDS})`)
      .execute();
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function streamToString(body: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
