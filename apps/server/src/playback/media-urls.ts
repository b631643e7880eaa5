import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config.ts';

/** What a signed media path grants: every file under one video's media prefix until `expires`. */
export interface MediaGrant {
  prefix: string;
  expires: number;
}

/** The media a signed link is for: the prefix, and the link generation that narrowing a video's visibility bumps. */
export interface SignedMedia {
  prefix: string;
  linkGeneration: number;
}

/**
 * Builds media URLs. Public videos get plain, CDN-cacheable paths. Unlisted and private videos get the
 * signature in the path (`/media/t/<expires>.<sig>/<prefix>/<file>`), not the query, so the relative segment
 * URLs inside HLS/DASH manifests inherit it without rewriting the manifests.
 */
export class MediaUrls {
  private secret: Buffer | null = null;
  private readonly base: string;

  constructor(private readonly config: Pick<Config, 'MEDIA_URL_TTL' | 'MEDIA_BASE_URL'>) {
    this.base = (config.MEDIA_BASE_URL ?? '').replace(/\/+$/, '');
  }

  /**
   * The fleet's shared signing secret (fleet/fleet-secrets.ts), read from the database when the process starts,
   * so it is handed over after construction. Signing or verifying before that is a wiring bug and throws.
   */
  useSecret(secret: string): void {
    this.secret = Buffer.from(secret);
  }

  private get key(): Buffer {
    if (!this.secret) throw new Error('MediaUrls has no signing secret yet: Runtime.start() hands it over');
    return this.secret;
  }

  /** A public, content-addressed asset such as channel art (`channels/<id>/avatar-<random>.jpg`); null stays null. */
  assetUrl(key: string | null): string | null {
    return key ? `${this.base}/media/${key}` : null;
  }

  publicUrl(prefix: string, file: string): string {
    return `${this.base}/media/${prefix}/${file}`;
  }

  /**
   * Expiry is rounded up to a window of half the TTL, so everyone watching in the same window shares URLs
   * (and CDN cache entries) while every URL stays valid for at least half the TTL.
   */
  signedUrl(media: SignedMedia, file: string, now = Date.now()): { url: string; expiresAt: Date } {
    const window = Math.max(1, Math.floor(this.config.MEDIA_URL_TTL / 2));
    const expires = (Math.floor(now / 1000 / window) + 2) * window;
    return { url: `${this.base}/media/t/${expires}.${this.sign(media, expires)}/${media.prefix}/${file}`, expiresAt: new Date(expires * 1000) };
  }

  private sign(media: SignedMedia, expires: number): string {
    return createHmac('sha256', this.key).update(`${media.prefix}\n${media.linkGeneration}\n${expires}`).digest('base64url').slice(0, 32);
  }

  /** Checks a token from a signed path against the media (prefix and current link generation) it is used for. */
  verify(token: string, media: SignedMedia, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{32})$/.exec(token);
    if (!match) return 'invalid';
    const expires = Number(match[1]);
    const expected = Buffer.from(this.sign(media, expires));
    const given = Buffer.from(match[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return expires * 1000 < now ? 'expired' : 'ok';
  }
}

/** Media files live under `videos/<videoId>/<version>/`; the version changes on every re-transcode. */
export function mediaPrefixFor(videoId: string, version: string): string {
  return `videos/${videoId}/${version}`;
}
