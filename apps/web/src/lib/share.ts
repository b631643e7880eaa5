/**
 * Share links and embed code, and reading them back: `?t=` start times (`90`, `90s`, `1m23s`, `1h2m3s`,
 * `1:23`) and the embed page's parameters. Pure, so it is unit-tested.
 */

const MAX_START_SECONDS = 7 * 24 * 3600;

/** Seconds from a `t`/`start` parameter, or null when it is missing or not a time. */
export function parseStartTime(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim().toLowerCase();
  let seconds: number | null = null;
  if (/^\d+(\.\d+)?s?$/.test(text)) {
    seconds = Number.parseFloat(text);
  } else if (/^(\d+h)?(\d+m)?(\d+s)?$/.test(text) && text !== '') {
    const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}`).exec(text)?.[1] ?? 0);
    seconds = part('h') * 3600 + part('m') * 60 + part('s');
  } else if (/^\d+(:\d{1,2}){1,2}$/.test(text)) {
    seconds = text.split(':').reduce((total, piece) => total * 60 + Number(piece), 0);
  }
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_START_SECONDS) return null;
  return seconds;
}

/** YouTube's form of a start time in links: `1h2m3s`, `1m23s`, `45s`. */
export function formatStartParam(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return `${hours > 0 ? `${hours}h` : ''}${hours > 0 || minutes > 0 ? `${minutes}m` : ''}${rest}s`;
}

export function watchLink(origin: string, videoId: string, startSeconds: number | null = null): string {
  const url = `${origin}/watch/${encodeURIComponent(videoId)}`;
  return startSeconds !== null && Math.floor(startSeconds) > 0 ? `${url}?t=${formatStartParam(startSeconds)}` : url;
}

export interface EmbedOptions {
  autoplay: boolean;
  muted: boolean;
  loop: boolean;
  controls: boolean;
  /** Seconds; 0 = from the beginning. */
  start: number;
}

export const DEFAULT_EMBED_OPTIONS: EmbedOptions = { autoplay: false, muted: false, loop: false, controls: true, start: 0 };

/** The embed page's URL; only options that differ from the defaults are written. */
export function embedLink(origin: string, videoId: string, options: Partial<EmbedOptions> = {}): string {
  const chosen = { ...DEFAULT_EMBED_OPTIONS, ...options };
  const params = new URLSearchParams();
  if (chosen.autoplay) params.set('autoplay', '1');
  if (chosen.muted) params.set('muted', '1');
  if (chosen.loop) params.set('loop', '1');
  if (!chosen.controls) params.set('controls', '0');
  if (Math.floor(chosen.start) > 0) params.set('start', String(Math.floor(chosen.start)));
  const query = params.toString();
  return `${origin}/embed/${encodeURIComponent(videoId)}${query ? `?${query}` : ''}`;
}

const escapeAttribute = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export function embedCode(src: string, title: string, size: { width: number; height: number } = { width: 560, height: 315 }): string {
  return `<iframe width="${size.width}" height="${size.height}" src="${escapeAttribute(src)}" title="${escapeAttribute(title)}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`;
}

const flag = (params: URLSearchParams, name: string, fallback: boolean) => {
  const value = params.get(name);
  if (value === null) return fallback;
  return value === '1' || value === 'true';
};

/** The embed page's options from its query string (YouTube's names; `t` works like `start`). */
export function parseEmbedOptions(params: URLSearchParams): EmbedOptions {
  return {
    autoplay: flag(params, 'autoplay', DEFAULT_EMBED_OPTIONS.autoplay),
    muted: flag(params, 'muted', flag(params, 'mute', DEFAULT_EMBED_OPTIONS.muted)),
    loop: flag(params, 'loop', DEFAULT_EMBED_OPTIONS.loop),
    controls: flag(params, 'controls', DEFAULT_EMBED_OPTIONS.controls),
    start: parseStartTime(params.get('start') ?? params.get('t')) ?? 0,
  };
}
