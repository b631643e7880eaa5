/**
 * The one place that decides who may frame Tube pages: only the embed page may be framed, by the origins
 * in `EMBED_FRAME_ANCESTORS` (default `*`). Every other page keeps the app-wide policy helmet sets
 * (`frame-ancestors 'none'` and `X-Frame-Options: DENY`, see `http/security-headers.ts`).
 */
import type { Config } from '../config.ts';
import { embeddablePage } from '../http/security-headers.ts';

/** `EMBED_FRAME_ANCESTORS` as a CSP source list: `https://a.example  https://*.b.example` → two sources. */
export function embedFrameAncestors(setting: string): string[] {
  const sources = setting.split(/\s+/).filter((source) => source !== '');
  return sources.length > 0 ? sources : ["'none'"];
}

/**
 * Route options for the embed page: the app-wide security headers with `frame-ancestors` from
 * `EMBED_FRAME_ANCESTORS` and no `X-Frame-Options` (it has no "these origins" form).
 */
export function embedPageOptions(config: Config): ReturnType<typeof embeddablePage> {
  return embeddablePage(config, embedFrameAncestors(config.EMBED_FRAME_ANCESTORS));
}
