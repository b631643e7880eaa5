import type { Cache } from '../infra/cache/cache.ts';
import { RateLimiter, clientNetwork, type RateRule } from '../infra/rate-limit/rate-limiter.ts';

/**
 * Every login attempt counts against the client's network; failed attempts count against the account. The
 * account is the user a login names (by username or email alike), so each name does not get its own guesses;
 * unknown logins count against their normalised text.
 */
export class LoginRateLimit {
  private readonly limiter: RateLimiter;
  private readonly byIp: RateRule;
  private readonly byAccount: RateRule;

  constructor(cache: Cache, limits: { perIp: number; perAccount: number; windowSeconds: number }) {
    this.limiter = new RateLimiter(cache);
    this.byIp = { name: 'login-ip', limit: limits.perIp, windowSeconds: limits.windowSeconds, message: 'Too many login attempts from this address' };
    this.byAccount = {
      name: 'login-account',
      limit: limits.perAccount,
      windowSeconds: limits.windowSeconds,
      message: 'Too many failed logins for this account',
    };
  }

  /** The counter key of an account: its user id when the login names one, else the login as typed, normalised. */
  static accountKey(userId: string | null, login: string): string {
    return userId ? `user:${userId}` : `login:${login.trim().toLowerCase()}`;
  }

  /** Counts the attempt against the client's network (before the account is even looked up). */
  async attemptFrom(ip: string): Promise<void> {
    await this.limiter.consume(this.byIp, clientNetwork(ip));
  }

  /** Refuses the attempt while the account has no failed logins left in this window. */
  async checkAccount(accountKey: string): Promise<void> {
    await this.limiter.check(this.byAccount, accountKey);
  }

  async failed(accountKey: string): Promise<void> {
    await this.limiter.consume(this.byAccount, accountKey).catch(() => undefined);
  }
}
