import type { Logger } from 'pino';
import type { Cache } from './cache.ts';
import { MemoryCache } from './memory-cache.ts';

export interface ResilientCacheOptions {
  logger: Logger;
  /** After a failed command, the shared cache is not asked again for this long (the circuit is open). */
  breakerMs: number;
  /** Called once per failed command, for the dependency-error metric. */
  onError?: () => void;
}

/**
 * The shared cache (Redis) as an aid that can never take Tube down: every command either succeeds quickly or
 * falls back, and nothing throws. While Redis is unreachable:
 * - reads are misses (callers go to PostgreSQL/storage), writes of cached values are skipped;
 * - invalidations are remembered and replayed once Redis answers again, so no stale entry survives the outage;
 * - counters (rate limits, view de-duplication, buffered view counts) continue in this process's memory, so rate
 *   limits still apply (per process instead of fleet-wide) and views are kept until the next flush.
 */
export class ResilientCache implements Cache {
  readonly driver: Cache['driver'];
  private readonly local = new MemoryCache(10_000);
  private openUntil = 0;
  private lastFailureAt: number | null = null;
  private readonly pendingDeletes = new Set<string>();
  private replayTimer: NodeJS.Timeout | null = null;
  private readonly deletionListeners: ((keys: string[]) => void)[] = [];

  constructor(
    private readonly shared: Cache,
    private readonly options: ResilientCacheOptions,
  ) {
    this.driver = shared.driver;
  }

  degradedWithin(seconds: number): boolean {
    return this.lastFailureAt !== null && Date.now() - this.lastFailureAt < seconds * 1000;
  }

  /** Pending invalidations not yet applied to the shared cache (they are retried until they are). */
  get pendingInvalidations(): number {
    return this.pendingDeletes.size;
  }

  private async attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (Date.now() < this.openUntil) return { ok: false };
    try {
      const value = await work();
      if (this.pendingDeletes.size > 0) this.scheduleReplay(0);
      return { ok: true, value };
    } catch (error) {
      this.options.onError?.();
      const firstOfOutage = this.lastFailureAt === null || Date.now() - this.lastFailureAt > 30_000;
      this.lastFailureAt = Date.now();
      this.openUntil = Date.now() + this.options.breakerMs;
      if (firstOfOutage) this.options.logger.warn({ err: error }, 'shared cache unavailable; falling back (reads miss, counters stay in this process)');
      return { ok: false };
    }
  }

  private scheduleReplay(delayMs: number): void {
    if (this.replayTimer) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = null;
      void this.replayDeletes();
    }, delayMs);
    this.replayTimer.unref();
  }

  private async replayDeletes(): Promise<void> {
    const keys = [...this.pendingDeletes];
    if (keys.length === 0) return;
    const result = await this.attempt(() => this.shared.del(...keys));
    if (result.ok) {
      for (const key of keys) this.pendingDeletes.delete(key);
      this.options.logger.info({ keys: keys.length }, 'replayed cache invalidations after the outage');
    } else {
      this.scheduleReplay(this.options.breakerMs);
    }
  }

  async get(key: string): Promise<string | null> {
    if (this.pendingDeletes.has(key)) return null;
    const result = await this.attempt(() => this.shared.get(key));
    return result.ok ? result.value : null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.pendingDeletes.has(key)) return;
    await this.attempt(() => this.shared.set(key, value, ttlSeconds));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const result = await this.attempt(() => this.shared.setIfAbsent(key, value, ttlSeconds));
    return result.ok ? result.value : this.local.setIfAbsent(key, value, ttlSeconds);
  }

  /** Fleet-wide notices come through the shared cache; this process's own deletions are told at once, outage or not. */
  onDeleted(listener: (keys: string[]) => void): void {
    this.deletionListeners.push(listener);
    this.shared.onDeleted(listener);
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.local.del(...keys);
    for (const listener of this.deletionListeners) listener(keys);
    const result = await this.attempt(() => this.shared.del(...keys));
    if (!result.ok) {
      for (const key of keys) this.pendingDeletes.add(key);
      this.options.logger.warn({ keys }, 'cache invalidation failed; it will be retried when the cache is back');
      this.scheduleReplay(this.options.breakerMs);
    }
  }

  async hit(key: string, windowSeconds: number, amount?: number): Promise<{ count: number; resetSeconds: number }> {
    const result = await this.attempt(() => this.shared.hit(key, windowSeconds, amount));
    return result.ok ? result.value : this.local.hit(key, windowSeconds, amount);
  }

  async addToCounter(hashKey: string, field: string, amount: number): Promise<void> {
    const result = await this.attempt(() => this.shared.addToCounter(hashKey, field, amount));
    if (!result.ok) await this.local.addToCounter(hashKey, field, amount);
  }

  async drainCounter(hashKey: string): Promise<Record<string, number>> {
    const merged = await this.local.drainCounter(hashKey);
    const result = await this.attempt(() => this.shared.drainCounter(hashKey));
    if (result.ok) for (const [field, n] of Object.entries(result.value)) merged[field] = (merged[field] ?? 0) + n;
    return merged;
  }

  /** Asks the shared cache itself (readiness reports it), bypassing the circuit. */
  async ping(): Promise<void> {
    await this.shared.ping();
  }

  async close(): Promise<void> {
    if (this.replayTimer) clearTimeout(this.replayTimer);
    this.replayTimer = null;
    await this.shared.close();
    await this.local.close();
  }
}
