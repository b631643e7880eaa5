import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { AuthUser } from '../auth/auth.service.ts';
import { clientNetwork } from '../infra/rate-limit/rate-limiter.ts';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';
import type { Db } from '../infra/db/database.ts';

const COUNTER_KEY = 'view-counts';

/**
 * Counts views without a row update per view: each viewer counts once per video per window (a cache key
 * that expires), counts accumulate in a cache hash, and a periodic flush adds them to PostgreSQL in one
 * statement. With Redis the counters are shared, so any API process may flush them.
 */
export class ViewCounter {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> | null = null;

  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly logger: Logger,
    private readonly config: Pick<Config, 'VIEW_DEDUP_WINDOW' | 'VIEW_MAX_PER_IP' | 'VIEW_FLUSH_INTERVAL'>,
  ) {}

  /**
   * An anonymous viewer is their network (IPv4 address, IPv6 /64), whatever User-Agent they send: a client
   * rotating User-Agents or addresses within its /64 is still one viewer. Several people behind one NAT count once.
   */
  static viewerKey(user: AuthUser | null, ip: string | null): string {
    if (user) return `u:${user.id}`;
    return `a:${createHash('sha256').update(clientNetwork(ip)).digest('base64url').slice(0, 22)}`;
  }

  /**
   * Returns whether the view counted: false when the same viewer was counted within the window, or when an
   * anonymous network has already been counted on VIEW_MAX_PER_IP videos in it (so it cannot push trending).
   */
  async record(videoId: string, viewerKey: string): Promise<boolean> {
    const { cache, config } = this;
    const first = await cache.setIfAbsent(`view-seen:${videoId}:${viewerKey}`, '1', config.VIEW_DEDUP_WINDOW);
    if (!first) return false;
    if (viewerKey.startsWith('a:')) {
      const { count } = await cache.hit(`view-network:${viewerKey}`, config.VIEW_DEDUP_WINDOW);
      if (count > config.VIEW_MAX_PER_IP) return false;
    }
    await cache.addToCounter(COUNTER_KEY, videoId, 1);
    return true;
  }

  /** Moves buffered counts into PostgreSQL; on a database error they go back into the buffer. */
  flush(): Promise<number> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<number> {
    const { cache, db, logger } = this;
    const counts = await cache.drainCounter(COUNTER_KEY);
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    if (entries.length === 0) return 0;
    try {
      await sql`
        UPDATE videos SET view_count = videos.view_count + pending.n
        FROM (SELECT unnest(${entries.map(([id]) => id)}::uuid[]) AS id, unnest(${entries.map(([, n]) => n)}::bigint[]) AS n) AS pending
        WHERE videos.id = pending.id
      `.execute(db);
    } catch (error) {
      logger.warn({ err: error }, 'view count flush failed; keeping the counts for the next flush');
      for (const [id, n] of entries) await cache.addToCounter(COUNTER_KEY, id, n);
      throw error;
    }
    return entries.reduce((sum, [, n]) => sum + n, 0);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.flush().catch(() => undefined);
    }, this.config.VIEW_FLUSH_INTERVAL * 1000);
  }

  /** Stops the timer and flushes what is buffered, so a graceful shutdown loses no views. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
