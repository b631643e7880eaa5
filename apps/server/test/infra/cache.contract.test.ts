import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, setJson, type Cache } from '../../src/infra/cache/cache.ts';
import { MemoryCache } from '../../src/infra/cache/memory-cache.ts';
import { RedisCache } from '../../src/infra/cache/redis-cache.ts';
import { NO_REDIS_REASON, REDIS_AVAILABLE, TEST_REDIS_URL } from '../helpers/database.ts';

/** Every Redis key this file writes starts with this prefix, so it can be removed afterwards. */
const redisPrefix = `tube-test:cache-contract:${randomBytes(4).toString('hex')}:`;

interface CacheDriverUnderTest {
  driver: Cache['driver'];
  open(): Cache;
  /**
   * Another handle onto the same store, as a second process would hold one: a second Redis connection,
   * or the very same in-process cache (a memory cache is never shared between processes).
   */
  openSecondHandle(first: Cache): Cache;
}

const drivers: CacheDriverUnderTest[] = [
  {
    driver: 'memory',
    open: () => new MemoryCache(1000),
    openSecondHandle: (first) => first,
  },
  {
    driver: 'redis',
    open: () => new RedisCache(TEST_REDIS_URL, redisPrefix),
    openSecondHandle: () => new RedisCache(TEST_REDIS_URL, redisPrefix),
  },
];

/** Keys unique to one test, so tests never see each other's values. */
const uniqueKey = (label: string) => `${label}:${randomBytes(4).toString('hex')}`;

async function deleteRedisKeysWithPrefix(prefix: string): Promise<number> {
  const admin = new Redis(TEST_REDIS_URL);
  try {
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) removed += await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    return removed;
  } finally {
    await admin.quit();
  }
}

afterAll(async () => {
  if (REDIS_AVAILABLE) await deleteRedisKeysWithPrefix(redisPrefix);
});

if (!REDIS_AVAILABLE) console.warn(`cache contract (redis): ${NO_REDIS_REASON}`);

describe.each(drivers.filter((d) => d.driver === 'memory' || REDIS_AVAILABLE))('cache contract: $driver', ({ driver, open, openSecondHandle }) => {
  let cache: Cache;
  beforeAll(() => {
    cache = open();
  });
  afterAll(() => cache?.close());

  it(`reports its driver as "${driver}" and answers ping`, async () => {
    expect(cache.driver).toBe(driver);
    await expect(cache.ping()).resolves.toBeUndefined();
  });

  describe('deletion notices', () => {
    it('tells every handle onto the store which keys were deleted (another process included), and nothing for no keys', async () => {
      const other = openSecondHandle(cache);
      const seen: string[][] = [];
      other.onDeleted((keys) => seen.push(keys));
      // Redis subscribes asynchronously; give the subscription a moment before publishing.
      await sleep(driver === 'redis' ? 200 : 0);
      const key = uniqueKey('deleted');
      await cache.set(key, 'x', 60);
      await cache.del(key, `${key}:second`);
      await cache.del();
      await expect.poll(() => seen, { timeout: 2000, interval: 20 }).toContainEqual([key, `${key}:second`]);
      expect(await other.get(key)).toBeNull();
      expect(seen.filter((keys) => keys.length === 0)).toEqual([]);
      if (other !== cache) await other.close();
    });
  });

  describe('get / set', () => {
    it('returns what was set, null for a missing key, and the latest value after an overwrite', async () => {
      const key = uniqueKey('plain');
      expect(await cache.get(key)).toBeNull();
      await cache.set(key, 'first', 60);
      expect(await cache.get(key)).toBe('first');
      await cache.set(key, 'second', 60);
      expect(await cache.get(key)).toBe('second');
    });

    it('keeps values byte for byte, including the empty string and non-ASCII text', async () => {
      const empty = uniqueKey('empty');
      const unicode = uniqueKey('unicode');
      await cache.set(empty, '', 60);
      await cache.set(unicode, 'Grüße — 動画 🎬', 60);
      expect(await cache.get(empty)).toBe('');
      expect(await cache.get(unicode)).toBe('Grüße — 動画 🎬');
    });
  });

  describe('setIfAbsent', () => {
    it('sets only the first time and leaves the existing value untouched', async () => {
      const key = uniqueKey('claim');
      expect(await cache.setIfAbsent(key, 'winner', 60)).toBe(true);
      expect(await cache.setIfAbsent(key, 'loser', 60)).toBe(false);
      expect(await cache.get(key)).toBe('winner');
    });

    it('does not overwrite a value written by set()', async () => {
      const key = uniqueKey('claim-after-set');
      await cache.set(key, 'existing', 60);
      expect(await cache.setIfAbsent(key, 'new', 60)).toBe(false);
      expect(await cache.get(key)).toBe('existing');
    });

    it('lets exactly one of many simultaneous callers win', async () => {
      const key = uniqueKey('claim-race');
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.setIfAbsent(key, `caller-${i}`, 60)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await cache.get(key)).toBe(`caller-${outcomes.indexOf(true)}`);
    });

    it('can claim the key again once it is deleted', async () => {
      const key = uniqueKey('claim-del');
      expect(await cache.setIfAbsent(key, 'one', 60)).toBe(true);
      await cache.del(key);
      expect(await cache.setIfAbsent(key, 'two', 60)).toBe(true);
      expect(await cache.get(key)).toBe('two');
    });
  });

  describe('del', () => {
    it('removes every key given, ignores missing ones and leaves the rest', async () => {
      const [a, b, c, missing] = [uniqueKey('del-a'), uniqueKey('del-b'), uniqueKey('del-c'), uniqueKey('del-missing')];
      await cache.set(a, 'a', 60);
      await cache.set(b, 'b', 60);
      await cache.set(c, 'c', 60);
      await cache.del(a, b, missing);
      expect(await cache.get(a)).toBeNull();
      expect(await cache.get(b)).toBeNull();
      expect(await cache.get(c)).toBe('c');
    });

    it('accepts an empty key list', async () => {
      await expect(cache.del()).resolves.toBeUndefined();
    });
  });

  describe('getJson / setJson', () => {
    it('round-trips structured values and gives null for a missing key', async () => {
      const key = uniqueKey('json');
      const video = { id: 'v1', title: 'Ünïcode "quoted"', tags: ['a', 'b'], views: 42, published: true, channel: null };
      await setJson(cache, key, video, 60);
      expect(await getJson<typeof video>(cache, key)).toEqual(video);
      expect(await cache.get(key)).toBe(JSON.stringify(video));
      expect(await getJson(cache, uniqueKey('json-missing'))).toBeNull();
    });

    it('stores scalars and arrays too', async () => {
      const numberKey = uniqueKey('json-number');
      const arrayKey = uniqueKey('json-array');
      await setJson(cache, numberKey, 0, 60);
      await setJson(cache, arrayKey, [1, 'two', { three: 3 }], 60);
      expect(await getJson<number>(cache, numberKey)).toBe(0);
      expect(await getJson<unknown[]>(cache, arrayKey)).toEqual([1, 'two', { three: 3 }]);
    });
  });

  describe('hit (fixed-window counter)', () => {
    it('counts hits, adds `amount`, and only reads when amount is 0', async () => {
      const key = uniqueKey('hits');
      expect(await cache.hit(key, 60)).toEqual({ count: 1, resetSeconds: 60 });
      expect((await cache.hit(key, 60)).count).toBe(2);
      expect((await cache.hit(key, 60, 3)).count).toBe(5);
      expect((await cache.hit(key, 60, 0)).count).toBe(5);
      expect((await cache.hit(key, 60, 0)).count).toBe(5);
      expect((await cache.hit(key, 60)).count).toBe(6);
    });

    it('reports a count of 0 when reading a counter that was never hit', async () => {
      expect((await cache.hit(uniqueKey('hits-unread'), 60, 0)).count).toBe(0);
    });

    it('keeps the window of the first hit: resetSeconds counts down and later hits do not extend it', async () => {
      const key = uniqueKey('hits-window');
      expect((await cache.hit(key, 60)).resetSeconds).toBe(60);
      const later = await cache.hit(key, 3600);
      expect(later.count).toBe(2);
      // The window was opened with 60 s; a later call with a longer window must not stretch it.
      expect(later.resetSeconds).toBeGreaterThanOrEqual(59);
      expect(later.resetSeconds).toBeLessThanOrEqual(60);
    });

    it('keeps separate counters per key', async () => {
      const first = uniqueKey('hits-first');
      const second = uniqueKey('hits-second');
      await cache.hit(first, 60, 4);
      expect((await cache.hit(second, 60)).count).toBe(1);
      expect((await cache.hit(first, 60, 0)).count).toBe(4);
    });

    it('counts every one of many simultaneous hits', async () => {
      const key = uniqueKey('hits-race');
      const results = await Promise.all(Array.from({ length: 50 }, () => cache.hit(key, 60)));
      expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });

  // The three tests below wait for a 1 s TTL to pass; they run side by side so the file stays fast.
  describe('expiry', () => {
    it.concurrent('forgets a value and a setIfAbsent claim after their TTL, keeps longer-lived ones', async ({ expect }) => {
      const shortLived = uniqueKey('ttl-short');
      const longLived = uniqueKey('ttl-long');
      const claim = uniqueKey('ttl-claim');
      await cache.set(shortLived, 'soon gone', 1);
      await cache.set(longLived, 'stays', 60);
      expect(await cache.setIfAbsent(claim, 'first', 1)).toBe(true);
      expect(await cache.get(shortLived)).toBe('soon gone');
      await sleep(1150);
      expect(await cache.get(shortLived)).toBeNull();
      expect(await cache.get(longLived)).toBe('stays');
      expect(await cache.setIfAbsent(claim, 'second', 60)).toBe(true);
      expect(await cache.get(claim)).toBe('second');
    });

    it.concurrent('starts a new window at count 1 once the old window is over', async ({ expect }) => {
      const key = uniqueKey('window-reset');
      await cache.hit(key, 1);
      expect((await cache.hit(key, 1)).count).toBe(2);
      await sleep(1150);
      expect((await cache.hit(key, 1, 0)).count).toBe(0);
      expect(await cache.hit(key, 1)).toEqual({ count: 1, resetSeconds: 1 });
    });

    it.concurrent('opens the window at the first real hit, not at a read-only check (amount 0)', async ({ expect }) => {
      const key = uniqueKey('window-read-only');
      expect((await cache.hit(key, 1, 0)).count).toBe(0);
      await sleep(600);
      expect((await cache.hit(key, 1)).count).toBe(1);
      await sleep(600);
      // 1.2 s after the read, 0.6 s after the hit: the hit's window is still open.
      expect((await cache.hit(key, 1, 0)).count).toBe(1);
    });
  });

  describe('addToCounter / drainCounter', () => {
    it('returns the accumulated value of every field and empties the hash', async () => {
      const hash = uniqueKey('views');
      await cache.addToCounter(hash, 'video-a', 1);
      await cache.addToCounter(hash, 'video-a', 2);
      await cache.addToCounter(hash, 'video-b', 5);
      expect(await cache.drainCounter(hash)).toEqual({ 'video-a': 3, 'video-b': 5 });
      expect(await cache.drainCounter(hash)).toEqual({});
    });

    it('gives an empty record for a hash that was never written', async () => {
      expect(await cache.drainCounter(uniqueKey('views-never'))).toEqual({});
    });

    it('keeps hashes apart', async () => {
      const first = uniqueKey('views-first');
      const second = uniqueKey('views-second');
      await cache.addToCounter(first, 'v', 1);
      await cache.addToCounter(second, 'v', 10);
      expect(await cache.drainCounter(first)).toEqual({ v: 1 });
      expect(await cache.drainCounter(second)).toEqual({ v: 10 });
    });

    it('starts again from zero after a drain', async () => {
      const hash = uniqueKey('views-again');
      await cache.addToCounter(hash, 'v', 7);
      await cache.drainCounter(hash);
      await cache.addToCounter(hash, 'v', 2);
      expect(await cache.drainCounter(hash)).toEqual({ v: 2 });
    });

    it('loses no increment made while another client drains', async () => {
      const hash = uniqueKey('views-race');
      const adder = openSecondHandle(cache);
      const fields = ['video-a', 'video-b', 'video-c'];
      const addsPerField = 300;
      const drained: Record<string, number>[] = [];
      try {
        let adding = true;
        const drainer = (async () => {
          while (adding) {
            drained.push(await cache.drainCounter(hash));
            await sleep(1);
          }
        })();
        for (let round = 0; round < addsPerField; round += 30) {
          await Promise.all(fields.flatMap((field) => Array.from({ length: 30 }, () => adder.addToCounter(hash, field, 1))));
          // Let the drainer's timer fire between rounds (the memory driver never yields on its own).
          await sleep(2);
        }
        adding = false;
        await drainer;
        drained.push(await cache.drainCounter(hash));
      } finally {
        if (adder !== cache) await adder.close();
      }
      const totals: Record<string, number> = {};
      for (const batch of drained) for (const [field, value] of Object.entries(batch)) totals[field] = (totals[field] ?? 0) + value;
      expect(totals).toEqual(Object.fromEntries(fields.map((field) => [field, addsPerField])));
      // The adds really did interleave with drains, or this test would prove nothing.
      expect(drained.filter((batch) => Object.keys(batch).length > 0).length).toBeGreaterThan(1);
    });
  });
});

describe('MemoryCache bounds', () => {
  it('keeps at most maxEntries values, evicting the least recently used', async () => {
    const cache = new MemoryCache(100);
    try {
      await cache.set('key-0', 'recently read', 60);
      for (let i = 1; i < 1000; i++) {
        await cache.set(`key-${i}`, `value-${i}`, 60);
        // Reading key-0 keeps it the most recently used, so it must survive every eviction.
        if (i % 50 === 0) expect(await cache.get('key-0')).toBe('recently read');
      }
      const present: string[] = [];
      for (let i = 0; i < 1000; i++) if ((await cache.get(`key-${i}`)) !== null) present.push(`key-${i}`);
      expect(present.length).toBe(100);
      expect(present).toContain('key-0');
      expect(present).toContain('key-999');
      expect(present).not.toContain('key-1');
    } finally {
      await cache.close();
    }
  });

  it('counts rate-limit windows against the same bound', async () => {
    const cache = new MemoryCache(100);
    try {
      for (let i = 0; i < 500; i++) await cache.hit(`login:ip:${i}`, 60);
      let windowsKept = 0;
      for (let i = 0; i < 500; i++) if ((await cache.hit(`login:ip:${i}`, 60, 0)).count > 0) windowsKept++;
      expect(windowsKept).toBeLessThanOrEqual(100);
      expect((await cache.hit('login:ip:499', 60, 0)).count).toBe(1);
    } finally {
      await cache.close();
    }
  });
});

describe.skipIf(!REDIS_AVAILABLE)('RedisCache connection and key prefix', () => {
  it('rejects ping when Redis cannot be reached', async () => {
    const unreachable = new RedisCache('redis://127.0.0.1:1', redisPrefix);
    try {
      await expect(unreachable.ping()).rejects.toThrow();
    } finally {
      unreachable.client.disconnect();
    }
  });

  it('writes under its key prefix only', async () => {
    const prefix = `${redisPrefix}isolated:`;
    const isolated = new RedisCache(TEST_REDIS_URL, prefix);
    const other = new RedisCache(TEST_REDIS_URL, `${redisPrefix}other:`);
    try {
      await isolated.set('shared-name', 'mine', 60);
      expect(await other.get('shared-name')).toBeNull();
      expect(await deleteRedisKeysWithPrefix(prefix)).toBe(1);
      expect(await isolated.get('shared-name')).toBeNull();
    } finally {
      await isolated.close();
      await other.close();
    }
  });
});
