import { Redis } from 'ioredis';
import type { Cache } from './cache.ts';

// INCRBY, then set the expiry only when this call started the window, in one round trip and atomically.
// An amount of 0 only reads: it must not create the key, or the read would open the window.
const HIT_SCRIPT = `
if ARGV[2] == '0' then
  local current = redis.call('GET', KEYS[1])
  if not current then return {0, tonumber(ARGV[1])} end
  return {tonumber(current), redis.call('TTL', KEYS[1])}
end
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

// Rename is atomic: increments arriving during the drain land in a fresh hash and are kept for the next one.
const DRAIN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
redis.call('RENAME', KEYS[1], KEYS[2])
local all = redis.call('HGETALL', KEYS[2])
redis.call('DEL', KEYS[2])
return all`;

export class RedisCache implements Cache {
  readonly driver = 'redis' as const;
  readonly client: Redis;
  /** A second connection, opened on the first `onDeleted` (a subscribed connection can run no other command). */
  private subscriber: Redis | null = null;
  private readonly deletionListeners: ((keys: string[]) => void)[] = [];
  /** ioredis applies keyPrefix to keys only, not to pub/sub channels, so the channel carries the prefix itself. */
  private readonly deletionChannel: string;

  /**
   * `failFast` (what servers use): no offline queue and a per-command timeout, so an unreachable or hung Redis
   * answers with an error at once instead of holding requests for seconds.
   */
  constructor(url: string, prefix: string, options: { failFast?: { commandTimeoutMs: number } } = {}) {
    this.deletionChannel = `${prefix}cache-deleted`;
    this.client = new Redis(url, {
      keyPrefix: prefix,
      lazyConnect: false,
      ...(options.failFast
        ? {
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: options.failFast.commandTimeoutMs,
            connectTimeout: 2000,
            retryStrategy: (attempt: number) => Math.min(attempt * 200, 1000),
          }
        : { maxRetriesPerRequest: 2, enableOfflineQueue: true }),
    });
    this.client.on('error', () => {
      // ioredis reconnects by itself; readiness reports the outage.
    });
  }

  async get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return (await this.client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX')) === 'OK';
  }

  async del(...keys: string[]): Promise<void> {
    if (!keys.length) return;
    await this.client
      .multi()
      .del(...keys)
      .publish(this.deletionChannel, JSON.stringify(keys))
      .exec();
  }

  onDeleted(listener: (keys: string[]) => void): void {
    this.deletionListeners.push(listener);
    if (this.subscriber) return;
    // Queue the SUBSCRIBE until connected (the fail-fast main connection has no offline queue); ioredis re-subscribes after reconnects.
    this.subscriber = this.client.duplicate({ enableOfflineQueue: true });
    this.subscriber.on('error', () => {
      // Reconnects by itself and re-subscribes; in-process copies expire on their own short TTL meanwhile.
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      let keys: unknown;
      try {
        keys = JSON.parse(message);
      } catch {
        return;
      }
      if (!Array.isArray(keys)) return;
      const names = keys.filter((key): key is string => typeof key === 'string');
      for (const notify of this.deletionListeners) notify(names);
    });
    void this.subscriber.subscribe(this.deletionChannel).catch(() => undefined);
  }

  async hit(key: string, windowSeconds: number, amount = 1): Promise<{ count: number; resetSeconds: number }> {
    const [count, ttl] = (await this.client.eval(HIT_SCRIPT, 1, key, String(windowSeconds), String(amount))) as [number, number];
    return { count, resetSeconds: Math.max(1, ttl) };
  }

  async addToCounter(hashKey: string, field: string, amount: number): Promise<void> {
    await this.client.hincrby(hashKey, field, amount);
  }

  async drainCounter(hashKey: string): Promise<Record<string, number>> {
    const draining = `${hashKey}:draining:${process.pid}:${Date.now()}`;
    const flat = (await this.client.eval(DRAIN_SCRIPT, 2, hashKey, draining)) as string[];
    const result: Record<string, number> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) result[flat[i]!] = Number(flat[i + 1]);
    return result;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Resolves once connected, or after `timeoutMs` (start-up carries on degraded if Redis is not there yet). */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    if (this.subscriber) await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
