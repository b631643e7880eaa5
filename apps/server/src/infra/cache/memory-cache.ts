import { LRUCache } from 'lru-cache';
import type { Cache } from './cache.ts';

export class MemoryCache implements Cache {
  readonly driver = 'memory' as const;
  private readonly values: LRUCache<string, string>;
  private readonly counters = new Map<string, Map<string, number>>();

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
  }

  async hit(key: string, windowSeconds: number, amount = 1): Promise<{ count: number; resetSeconds: number }> {
    const existing = this.values.get(key);
    const remainingMs = this.values.getRemainingTTL(key);
    if (existing === undefined || remainingMs <= 0) {
      this.values.set(key, String(amount), { ttl: windowSeconds * 1000 });
      return { count: amount, resetSeconds: windowSeconds };
    }
    const count = Number(existing) + amount;
    this.values.set(key, String(count), { ttl: remainingMs });
    return { count, resetSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
  }

  async addToCounter(hashKey: string, field: string, amount: number): Promise<void> {
    let hash = this.counters.get(hashKey);
    if (!hash) this.counters.set(hashKey, (hash = new Map()));
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
