import type { Cache } from '../infra/cache/cache.ts';
import { tooManyRequests } from '../infra/http/errors.ts';

/**
 * The account limits, in the fixed-window style of auth/login-rate-limit.ts, counted in the cache so they hold across
 * API processes: emails we send on someone's request (per address and per IP), and second-factor attempts (per account).
 */
export class AccountRateLimit {
  constructor(
    private readonly cache: Cache,
    private readonly limits: {
      mailPerAddress: number;
      mailWindowSeconds: number;
      twoFactorPerAccount: number;
      twoFactorWindowSeconds: number;
      passwordPerAccount: number;
      passwordWindowSeconds: number;
    },
  ) {}

  /** Throws 429 once an IP asks for too many emails; returns false (quietly) once one address got enough. */
  async mailRequest(kind: string, ip: string, address: string): Promise<boolean> {
    const byIp = await this.cache.hit(`account-mail:ip:${ip}`, this.limits.mailWindowSeconds);
    if (byIp.count > this.limits.mailPerAddress * 4) throw tooManyRequests(byIp.resetSeconds, 'Too many email requests from this address; try again later');
    const byAddress = await this.cache.hit(`account-mail:${kind}:${address.toLowerCase()}`, this.limits.mailWindowSeconds);
    // Over the per-address limit the answer stays the same, so the limit does not reveal whether the account exists.
    return byAddress.count <= this.limits.mailPerAddress;
  }

  /** Settings that re-check the password (change password or email, delete) must not become a way round the login limit. */
  async beforePasswordCheck(userId: string): Promise<void> {
    const failures = await this.cache.hit(`password-check:${userId}`, this.limits.passwordWindowSeconds, 0);
    if (failures.count >= this.limits.passwordPerAccount) throw tooManyRequests(failures.resetSeconds, 'Too many wrong passwords; try again later');
  }

  async passwordCheckFailed(userId: string): Promise<void> {
    await this.cache.hit(`password-check:${userId}`, this.limits.passwordWindowSeconds);
  }

  async beforeSecondFactor(userId: string): Promise<void> {
    const attempts = await this.cache.hit(`two-factor:${userId}`, this.limits.twoFactorWindowSeconds, 0);
    if (attempts.count >= this.limits.twoFactorPerAccount) {
      throw tooManyRequests(attempts.resetSeconds, 'Too many wrong codes; try again later');
    }
  }

  async secondFactorFailed(userId: string): Promise<void> {
    await this.cache.hit(`two-factor:${userId}`, this.limits.twoFactorWindowSeconds);
  }
}
