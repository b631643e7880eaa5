/**
 * The `<head>` the server writes into the web app's index.html for pages that get shared (watch, channel,
 * playlist, embed), so a pasted link previews with its own title, picture and player. Pure: no I/O.
 * Only `<meta>`/`<link>` tags: a Content-Security-Policy forbids inline scripts.
 */

export interface PageHead {
  title: string;
  description: string;
  /** Absolute. */
  canonicalUrl: string;
  ogType: 'video.other' | 'profile' | 'website';
  /** Absolute. */
  imageUrl?: string | null;
  /** The player for `og:video` and the Twitter player card; absolute. */
  player?: { embedUrl: string; width: number; height: number; durationSeconds?: number | null } | null;
  /** Absolute `/oembed?url=…` link for discovery. */
  oembedUrl?: string | null;
  /** Unlisted pages may be previewed by whoever has the link, but not indexed. */
  noindex?: boolean;
}

export const SITE_NAME = 'Tube';
const DESCRIPTION_MAX_LENGTH = 300;

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** One line of plain text, cut at a word near the limit. */
export function summarise(text: string, maxLength = DESCRIPTION_MAX_LENGTH): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= maxLength) return oneLine;
  const cut = oneLine.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength * 0.6 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

const meta = (attribute: 'name' | 'property', key: string, content: string | number) =>
  `<meta ${attribute}="${key}" content="${escapeHtml(String(content))}" data-page-head />`;

/** The tags for one page, one per line, every value escaped. */
export function renderHeadTags(head: PageHead): string {
  const description = summarise(head.description);
  const tags = [
    `<title>${escapeHtml(head.title)}</title>`,
    meta('name', 'description', description),
    `<link rel="canonical" href="${escapeHtml(head.canonicalUrl)}" data-page-head />`,
    meta('property', 'og:site_name', SITE_NAME),
    meta('property', 'og:type', head.ogType),
    meta('property', 'og:title', head.title),
    meta('property', 'og:description', description),
    meta('property', 'og:url', head.canonicalUrl),
  ];
  if (head.imageUrl) tags.push(meta('property', 'og:image', head.imageUrl));
  if (head.player) {
    const { embedUrl, width, height, durationSeconds } = head.player;
    tags.push(
      meta('property', 'og:video', embedUrl),
      meta('property', 'og:video:url', embedUrl),
      meta('property', 'og:video:secure_url', embedUrl),
      meta('property', 'og:video:type', 'text/html'),
      meta('property', 'og:video:width', width),
      meta('property', 'og:video:height', height),
    );
    if (durationSeconds) tags.push(meta('property', 'video:duration', Math.round(durationSeconds)));
    tags.push(
      meta('name', 'twitter:card', 'player'),
      meta('name', 'twitter:player', embedUrl),
      meta('name', 'twitter:player:width', width),
      meta('name', 'twitter:player:height', height),
    );
  } else {
    tags.push(meta('name', 'twitter:card', head.imageUrl ? 'summary_large_image' : 'summary'));
  }
  tags.push(meta('name', 'twitter:title', head.title), meta('name', 'twitter:description', description));
  if (head.imageUrl) tags.push(meta('name', 'twitter:image', head.imageUrl));
  if (head.oembedUrl) {
    tags.push(`<link rel="alternate" type="application/json+oembed" href="${escapeHtml(head.oembedUrl)}" title="${escapeHtml(head.title)}" data-page-head />`);
  }
  if (head.noindex) tags.push(meta('name', 'robots', 'noindex'));
  return tags.join('\n    ');
}

/**
 * Puts the page's tags into the built index.html: its `<title>` and description are replaced (so there is
 * exactly one of each), everything else goes at the end of `<head>`.
 */
export function injectHead(indexHtml: string, head: PageHead): string {
  const withoutDefaults = indexHtml.replace(/<title>[\s\S]*?<\/title>\s*/i, '').replace(/<meta\s+name="description"[^>]*>\s*/i, '');
  const tags = renderHeadTags(head);
  return withoutDefaults.replace(/<\/head>/i, () => `  ${tags}\n  </head>`);
}
