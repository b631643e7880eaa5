import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

export class MemoryCache implements Cache {
  readonly driver = 'memory' as const;
  private readonly values: LRUCache<string, string>;
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly deletionListeners: ((keys: string[]) => void)[] = [];

  constructor(maxEntries: number) {
    this.values = new LRUCache<string, string>({ max: maxEntries, ttlAutopurge: false });
  }

  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.values.set(key, value, { ttl: ttlSeconds * 1000 });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.values.has(key)) return false;
    this.values.set(key, value, { ttl: ttlSeconds * 1000 });
    return true;
  }

  async del(...keys: string[]): Promise<void> {
    for (const key of keys) this.values.delete(key);
    if (keys.length) for (const listener of this.deletionListeners) listener(keys);
  }

  onDeleted(listener: (keys: string[]) => void): void {
    this.deletionListeners.push(listener);
  }

  async hit(key: string, windowSeconds: number, amount = 1): Promise<{ count: number; resetSeconds: number }> {
    const existing = this.values.get(key);
    const remainingMs = this.values.getRemainingTTL(key);
    if (existing === undefined || remainingMs <= 0) {
      // A read-only check (amount 0) must not open a window: the window starts at the first real hit.
      if (amount !== 0) this.values.set(key, String(amount), { ttl: windowSeconds * 1000 });
      return { count: amount, resetSeconds: windowSeconds };
    }
    const count = Number(existing) + amount;
    // Keep the window's original start and length; lru-cache's clock is cached, so re-deriving the TTL would drift.
    if (amount !== 0) this.values.set(key, String(count), { noUpdateTTL: true });
    // Rounded like Redis's TTL, so a stale cached clock cannot report more seconds than the window has.
    return { count, resetSeconds: Math.max(1, Math.round(remainingMs / 1000)) };
  }

  async addToCounter(hashKey: string, field: string, amount: number): Promise<void> {
    let hash = this.counters.get(hashKey);
    if (!hash) {
      hash = new Map();
      this.counters.set(hashKey, hash);
    }
    hash.set(field, (hash.get(field) ?? 0) + amount);
  }

  async drainCounter(hashKey: string): Promise<Record<string, number>> {
    const hash = this.counters.get(hashKey);
    this.counters.delete(hashKey);
    return Object.fromEntries(hash ?? []);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.values.clear();
  }
}
