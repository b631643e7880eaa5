import { getJson, setJson, type Cache } from '../infra/cache/cache.ts';

const GENERATION_KEY = 'discovery:generation';

/**
 * Short-lived cache of shared listings (trending, home, related, suggestions). Every key includes a generation
 * that moderation and the trending refresh bump, so hiding a video drops it from every cached listing at once.
 * Edits made by owners (visibility, deletion) are not signalled here; they show within `ttlSeconds`, like the
 * `public, max-age=10` the video endpoint already allows CDNs.
 */
export class ListingCache {
  constructor(
    private readonly cache: Cache,
    private readonly ttlSeconds = 10,
  ) {}

  private async generation(): Promise<string> {
    return (await this.cache.get(GENERATION_KEY)) ?? '0';
  }

  async bump(): Promise<void> {
    await this.cache.set(GENERATION_KEY, `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, 7 * 24 * 3600);
  }

  async getOrCompute<T>(name: string, parts: readonly (string | number | null | undefined)[], compute: () => Promise<T>): Promise<T> {
    const key = `listing:${await this.generation()}:${name}:${parts.map((part) => encodeURIComponent(String(part ?? ''))).join(':')}`;
    const cached = await getJson<T>(this.cache, key);
    if (cached !== null) return cached;
    const value = await compute();
    await setJson(this.cache, key, value, this.ttlSeconds);
    return value;
  }
}
