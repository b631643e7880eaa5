import { createHash } from 'node:crypto';
import fastJson from 'fast-json-stringify';
import { LRUCache } from 'lru-cache';
import { Playback, Video } from '@tube/shared';
import { playbackCacheControl } from '../playback/playback-cache-control.ts';

/** A response body serialized once, with the ETag computed once. */
export interface PreparedBody {
  body: string;
  etag: string;
}

/** A prepared body with the Cache-Control it is sent with. */
export interface PreparedAnswer extends PreparedBody {
  cacheControl: string;
}

/**
 * A video as the API sends it, with what access checks need. Ready videos are kept like this in Redis (or the
 * in-process cache) and in each process's short-lived local copy, so a warm request parses a few hundred bytes
 * of header and sends a string: no JSON parse of the whole video, no serialization, no hashing.
 */
export interface PreparedVideo {
  id: string;
  userId: string;
  visibility: Video['visibility'];
  status: Video['status'];
  hidden: boolean;
  video: PreparedBody;
  playback: (PreparedBody & { expiresAt: string | null }) | null;
  /**
   * What an anonymous request gets, worked out once per cache entry so a warm anonymous request can be answered
   * from memory before the rest of the request pipeline runs; null when anonymous viewers may not see the video.
   */
  anonymous: { video: PreparedAnswer; playback: PreparedAnswer | null } | null;
}

/** Shared caches (CDNs) may keep a video's metadata only when it is public, ready and asked for anonymously. */
export function videoCacheControl(record: Pick<PreparedVideo, 'visibility' | 'status'>, signedIn: boolean): string {
  return !signedIn && record.visibility === 'public' && record.status === 'ready' ? 'public, max-age=10' : 'private, no-cache';
}

/** Anonymous viewers see ready videos that are not private and not hidden by moderation (see VideoService). */
function anonymousAnswers(record: Omit<PreparedVideo, 'anonymous'>): PreparedVideo['anonymous'] {
  if (record.visibility === 'private' || record.status !== 'ready' || record.hidden) return null;
  const { playback } = record;
  return {
    video: { ...record.video, cacheControl: videoCacheControl(record, false) },
    playback: playback ? { body: playback.body, etag: playback.etag, cacheControl: playbackCacheControl(playback, false) } : null,
  };
}

function withAnonymousAnswers(record: Omit<PreparedVideo, 'anonymous'>): PreparedVideo {
  return { ...record, anonymous: anonymousAnswers(record) };
}

// The same serializers Fastify would build from the response schemas, so both paths send the same bytes.
const serializeVideo = fastJson(Video);
const serializePlayback = fastJson(Playback);

/** The weak ETag of a JSON body, as `sendCacheable` computes it, so 304s work whichever path answered. */
export const jsonEtag = (body: string) => `W/"${createHash('sha1').update(body).digest('base64url')}"`;

export function prepareBody(body: string): PreparedBody {
  return { body, etag: jsonEtag(body) };
}

export function prepareVideo(video: Video, userId: string, hidden: boolean, playback: Playback | null): PreparedVideo {
  return withAnonymousAnswers({
    id: video.id,
    userId,
    visibility: video.visibility,
    status: video.status,
    hidden,
    video: prepareBody(serializeVideo(video)),
    playback: playback ? { ...prepareBody(serializePlayback(playback)), expiresAt: playback.expiresAt } : null,
  });
}

/** Bumped when the video body gains fields (3: creator fields), so a newer process never serves an older body. */
const CACHE_FORMAT = 3;

/** First line: the small header as JSON; then the video body; then the playback body (JSON never holds a raw newline). */
export function encodePreparedVideo(prepared: PreparedVideo): string {
  const { video, playback, anonymous: _derived, ...header } = prepared;
  const head = { v: CACHE_FORMAT, ...header, videoEtag: video.etag, playbackEtag: playback?.etag ?? null, playbackExpiresAt: playback?.expiresAt ?? null };
  return `${JSON.stringify(head)}\n${video.body}\n${playback?.body ?? ''}`;
}

/** Null for anything that is not an entry written by `encodePreparedVideo` (e.g. an older format): a miss. */
export function decodePreparedVideo(raw: string): PreparedVideo | null {
  const first = raw.indexOf('\n');
  const second = first < 0 ? -1 : raw.indexOf('\n', first + 1);
  if (second < 0) return null;
  let head: {
    v?: number;
    id: string;
    userId: string;
    visibility: Video['visibility'];
    status: Video['status'];
    hidden: boolean;
    videoEtag: string;
    playbackEtag: string | null;
    playbackExpiresAt: string | null;
  };
  try {
    head = JSON.parse(raw.slice(0, first));
  } catch {
    return null;
  }
  if (head.v !== CACHE_FORMAT) return null;
  const playbackBody = raw.slice(second + 1);
  return withAnonymousAnswers({
    id: head.id,
    userId: head.userId,
    visibility: head.visibility,
    status: head.status,
    hidden: head.hidden,
    video: { body: raw.slice(first + 1, second), etag: head.videoEtag },
    playback: head.playbackEtag && playbackBody ? { body: playbackBody, etag: head.playbackEtag, expiresAt: head.playbackExpiresAt } : null,
  });
}

/**
 * The in-process copy in front of the shared cache. Entries live `ttlSeconds` at most; deletions anywhere in the
 * fleet reach every process through `Cache.onDeleted` (Redis pub/sub), so the TTL only bounds staleness when a
 * deletion message is lost (e.g. during a Redis outage).
 */
export class LocalVideoCache {
  private readonly entries: LRUCache<string, PreparedVideo> | null;
  /** Bumped on every invalidation; a database load that started before one must not store its result. */
  private generation = 0;
  hits = 0;

  constructor(ttlSeconds: number, maxEntries: number) {
    this.entries = ttlSeconds > 0 ? new LRUCache<string, PreparedVideo>({ max: maxEntries, ttl: ttlSeconds * 1000, ttlAutopurge: false }) : null;
  }

  get(id: string): PreparedVideo | undefined {
    const entry = this.entries?.get(id);
    if (entry) this.hits++;
    return entry;
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** Stores unless an invalidation happened since `generation` was read. */
  set(prepared: PreparedVideo, generation = this.generation): void {
    if (generation === this.generation) this.entries?.set(prepared.id, prepared);
  }

  delete(id: string): void {
    this.generation++;
    this.entries?.delete(id);
  }
}
