import type { Cache } from '../infra/cache/cache.ts';
import { tooManyRequests } from '../infra/http/errors.ts';

/**
 * Two fixed windows: every login attempt counts against the client's IP; failed attempts count against the
 * account. Counters live in the cache, so with Redis they hold across every API process.
 */
export class LoginRateLimit {
  constructor(
    private readonly cache: Cache,
    private readonly limits: { perIp: number; perAccount: number; windowSeconds: number },
  ) {}

  async beforeAttempt(ip: string, login: string): Promise<void> {
    const byIp = await this.cache.hit(`login:ip:${ip}`, this.limits.windowSeconds);
    if (byIp.count > this.limits.perIp) throw tooManyRequests(byIp.resetSeconds, 'Too many login attempts from this address; try again later');
    const byAccount = await this.cache.hit(`login:account:${login.toLowerCase()}`, this.limits.windowSeconds, 0);
    if (byAccount.count >= this.limits.perAccount) {
      throw tooManyRequests(byAccount.resetSeconds, 'Too many failed logins for this account; try again later');
    }
  }

  async failed(login: string): Promise<void> {
    await this.cache.hit(`login:account:${login.toLowerCase()}`, this.limits.windowSeconds);
  }
}
