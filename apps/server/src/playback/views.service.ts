import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Infra } from '../infra/infra.ts';

const COUNTER_KEY = 'view-counts';

/**
 * Counts views without a row update per view: each viewer counts once per video per window (a cache key
 * that expires), counts accumulate in a cache hash, and a periodic flush adds them to PostgreSQL in one
 * statement. With Redis the counters are shared, so any API process may flush them.
 */
export class ViewCounter {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> | null = null;

  constructor(private readonly infra: Infra) {}

  static viewerKey(user: AuthUser | null, ip: string | null, userAgent: string | null): string {
    if (user) return `u:${user.id}`;
    return `a:${createHash('sha256').update(`${ip ?? ''}|${userAgent ?? ''}`).digest('base64url').slice(0, 22)}`;
  }

  /** Returns whether the view counted (false when the same viewer was counted within the window). */
  async record(videoId: string, viewerKey: string): Promise<boolean> {
    const { cache, config } = this.infra;
    const first = await cache.setIfAbsent(`view-seen:${videoId}:${viewerKey}`, '1', config.VIEW_DEDUP_WINDOW);
    if (first) await cache.addToCounter(COUNTER_KEY, videoId, 1);
    return first;
  }

  /** Moves buffered counts into PostgreSQL; on a database error they go back into the buffer. */
  flush(): Promise<number> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<number> {
    const { cache, db, logger } = this.infra;
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
    }, this.infra.config.VIEW_FLUSH_INTERVAL * 1000);
  }

  /** Stops the timer and flushes what is buffered, so a graceful shutdown loses no views. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
