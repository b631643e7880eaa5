import { isIPv6 } from 'node:net';
import type { Cache } from '../cache/cache.ts';
import { tooManyRequests } from '../http/errors.ts';

/** One fixed-window budget: at most `limit` hits per key per `windowSeconds`. */
export interface RateRule {
  name: string;
  limit: number;
  windowSeconds: number;
  /** The sentence a person sees when they run out, e.g. "You have posted many comments in a short time". */
  message: string;
}

/**
 * Fixed-window counters in the cache (Redis when configured), so every API process shares the counts.
 * Used for login attempts and for every write an anonymous or new account can make.
 */
export class RateLimiter {
  constructor(private readonly cache: Cache) {}

  /** Counts `amount` hits against `key` and throws a 429 with Retry-After once the budget is spent. */
  async consume(rule: RateRule, key: string, amount = 1): Promise<void> {
    const { count, resetSeconds } = await this.cache.hit(`ratelimit:${rule.name}:${key}`, rule.windowSeconds, amount);
    if (count > rule.limit) throw tooManyRequests(Math.max(1, resetSeconds), `${rule.message}; try again in ${describeSeconds(resetSeconds)}`);
  }

  /** Throws like `consume` when the budget is already spent, without counting (for "count failures only" rules). */
  async check(rule: RateRule, key: string): Promise<void> {
    const { count, resetSeconds } = await this.cache.hit(`ratelimit:${rule.name}:${key}`, rule.windowSeconds, 0);
    if (count >= rule.limit) throw tooManyRequests(Math.max(1, resetSeconds), `${rule.message}; try again in ${describeSeconds(resetSeconds)}`);
  }
}

function describeSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * The network a client address stands for: an IPv4 address itself, an IPv6 address's /64 (one subscriber
 * usually holds a whole /64, so rotating within it must not buy a fresh budget).
 */
export function clientNetwork(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, '').toLowerCase())
    .join(':')}::/64`;
}
