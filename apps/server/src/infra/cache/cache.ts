/**
 * What Tube needs from a cache: plain values with a TTL, fixed-window counters for rate limits,
 * set-if-absent for de-duplication, and hash counters that are drained atomically (buffered view counts).
 * Two drivers: Redis (shared by every process) and an in-process LRU (one process, no Redis).
 */
export interface Cache {
  readonly driver: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /**
   * Adds `amount` (default 1; 0 only reads) to a counter whose window starts at its first hit;
   * returns the count and the seconds left in the window.
   */
  hit(key: string, windowSeconds: number, amount?: number): Promise<{ count: number; resetSeconds: number }>;
  /** Adds to one field of a counter hash. */
  addToCounter(hashKey: string, field: string, amount: number): Promise<void>;
  /** Returns every field of a counter hash and removes it, as one atomic step. */
  drainCounter(hashKey: string): Promise<Record<string, number>>;
  /**
   * Calls `listener` with the keys whenever any process deletes keys of this cache (Redis: pub/sub, fleet-wide;
   * in process: this process only), so in-process copies of cached values can be dropped everywhere at once.
   */
  onDeleted(listener: (keys: string[]) => void): void;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * True when the shared cache failed within the last `seconds` (only the fail-safe wrapper knows). Entries other
   * processes wrote during that time may be missing, so callers that rely on them check PostgreSQL instead.
   */
  degradedWithin?(seconds: number): boolean;
}

export async function getJson<T>(cache: Cache, key: string): Promise<T | null> {
  const raw = await cache.get(key);
  return raw === null ? null : (JSON.parse(raw) as T);
}

export async function setJson(cache: Cache, key: string, value: unknown, ttlSeconds: number): Promise<void> {
  await cache.set(key, JSON.stringify(value), ttlSeconds);
}
