import type { CreateVideoBody, CreatedVideo, Playback, PublishBody, UpdateVideoBody, Video, VideoPage } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { getJson, setJson, type Cache } from '../infra/cache/cache.ts';
import { AppError, badRequest, conflict, notFound } from '../infra/http/errors.ts';
import type { MediaUrls } from '../playback/media-urls.ts';
import type { VideoEvents } from './video-events.ts';
import { cancelPendingTranscodes, enqueueTranscode, cancelPendingTasks } from './video.jobs.ts';
import { MEDIA_FILES, posterFileOf, toVideoDto } from './video.dto.ts';
import type { CreatorFields, VideoRepository, VideoRow } from './video.repository.ts';
import { decodeKeyset, encodeKeyset, pageOf } from '../infra/db/keyset.ts';
import type { ListingCache } from './listing-cache.ts';
import { isPublication, resolvePublishState, type PublishState } from './publishing.ts';
import { decodePreparedVideo, encodePreparedVideo, type LocalVideoCache, prepareVideo, type PreparedVideo } from './video-cache.ts';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Db } from '../infra/db/database.ts';
import type { Storage } from '../infra/storage/storage.ts';

export const UPLOAD_PATH = '/api/v1/uploads';

/** Where the tus server keeps an upload in storage, and the sidecar files it writes next to it. */
export const uploadKeyFor = (videoId: string) => `uploads/${videoId}`;
/** With early start on S3, a readable copy of each part of the upload in progress (multipart parts are not readable). */
export const uploadPartCopiesPrefix = (uploadKey: string) => `${uploadKey}.parts/`;
export const uploadPartCopyKey = (uploadKey: string, partNumber: number) => `${uploadPartCopiesPrefix(uploadKey)}${String(partNumber).padStart(5, '0')}`;
const uploadSidecarKeys = (videoId: string) => [`${uploadKeyFor(videoId)}.json`, `${uploadKeyFor(videoId)}.info`];

const VIDEO_CACHE_TTL_SECONDS = 30;
/** How many people may watch: narrowing (a smaller number) revokes signed media links. */
const VISIBILITY_BREADTH: Record<Video['visibility'], number> = { public: 2, unlisted: 1, private: 0 };

export const videoCacheKeys = (id: string) => [`video:${id}`, `video-access:${id}`];

/** What the media route needs to know about a video, cached briefly (invalidated on edit and delete). */
export interface MediaAccess {
  prefix: string | null;
  visibility: Video['visibility'];
  linkGeneration: number;
  /** Still being published chunk by chunk (`playable`): its manifests change every few seconds. */
  growing?: boolean;
}
const MEDIA_ACCESS_TTL_SECONDS = 30;

export class VideoService {
  private readonly loading = new Map<string, Promise<PreparedVideo | null>>();
  constructor(
    private readonly repo: VideoRepository,
    /** In-process copies of ready videos in front of the shared cache (`CACHE_LOCAL_SECONDS`). */
    private readonly local: LocalVideoCache,
    private readonly urls: MediaUrls,
    private readonly events: VideoEvents,
    private readonly listings: ListingCache,
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly queue: PgBoss,
    private readonly storage: Storage,
    private readonly config: Pick<Config, 'UPLOAD_MAX_BYTES' | 'USER_UPLOAD_QUOTA_BYTES'>,
  ) {
    // Any process deleting `video:<id>` (an edit on another API node, a worker finishing a transcode) drops the local copy here too.
    cache.onDeleted((keys) => {
      for (const key of keys) if (key.startsWith('video:')) this.local.delete(key.slice('video:'.length));
    });
  }

  /** `origin` is where the client reached us; the upload URL is given relative to it. */
  async create(user: AuthUser, input: CreateVideoBody, origin: string): Promise<CreatedVideo> {
    const channel = input.channelId ? await this.repo.channelOwnedBy(input.channelId, user.id) : await this.repo.defaultChannelOf(user.id);
    if (!channel) throw input.channelId ? notFound('You have no channel with that id') : conflict('Your account has no channel to publish to', 'no_channel');
    const publishing = resolvePublishState({ visibility: input.visibility, draft: input.draft, publishAt: input.publishAt }, null, new Date());
    const id = await this.repo.create({
      userId: user.id,
      channelId: channel.id,
      title: input.title.trim(),
      description: input.description ?? '',
      visibility: publishing?.visibility ?? input.visibility ?? 'public',
      tags: normaliseTags(input.tags ?? []),
      creator: {
        ...metadataColumns(input),
        ...(publishing ? { draft: publishing.draft, publish_at: publishing.publish_at, publish_visibility: publishing.publish_visibility } : {}),
      },
    });
    if (publishing?.publish_at) await this.schedulePublication(publishing.publish_at);
    return { id, status: 'awaiting_upload', upload: { url: `${origin}${UPLOAD_PATH}`, maxBytes: this.config.UPLOAD_MAX_BYTES } };
  }

  /** Owners and admins see everything; others see ready videos that are not private and not hidden by moderation. */
  private static canSee(
    viewer: AuthUser | null,
    record: { userId: string; visibility: Video['visibility']; status: Video['status']; hidden: boolean },
  ): boolean {
    const isOwner = viewer !== null && (viewer.id === record.userId || viewer.role === 'admin');
    return isOwner || (record.visibility !== 'private' && record.status === 'ready' && !record.hidden);
  }

  /** Null when nothing of the video may be served: missing, not yet playable, or hidden by moderation. */
  async mediaAccess(videoId: string): Promise<MediaAccess | null> {
    const cacheKey = `video-access:${videoId}`;
    const cached = await getJson<MediaAccess | { missing: true }>(this.cache, cacheKey);
    if (cached) return 'missing' in cached ? null : cached;
    const row = await this.repo.findMediaAccess(videoId);
    // Moderation-hidden videos keep their files (an admin may restore them) but serve nothing.
    const servable = row?.status === 'ready' || row?.status === 'playable';
    const access =
      row && servable && row.hidden_at === null
        ? { prefix: row.media_prefix, visibility: row.visibility, linkGeneration: row.media_link_generation, growing: row.status === 'playable' }
        : null;
    await setJson(this.cache, cacheKey, access ?? { missing: true }, MEDIA_ACCESS_TTL_SECONDS);
    return access;
  }

  /** A row another listing loaded (history) as `get` would answer it, or null when the viewer may not see it. */
  async visibleDto(row: VideoRow, viewer: AuthUser): Promise<Video | null> {
    if (!VideoService.canSee(viewer, { userId: row.user_id, visibility: row.visibility, status: row.status, hidden: row.hidden_at !== null })) return null;
    const queuePosition = row.status === 'queued' ? await this.repo.queuePosition(row.id) : null;
    return toVideoDto(row, this.urls, { queuePosition });
  }

  async ownedRow(id: string, user: AuthUser): Promise<VideoRow> {
    const row = await this.repo.findById(id);
    if (!row || (row.user_id !== user.id && user.role !== 'admin')) throw notFound('Video not found');
    return row;
  }

  /**
   * A video as the viewer may see it, from the cache when it is ready (links included), else from the
   * database. Private videos of others are reported as missing, not forbidden, so their existence leaks nothing.
   */
  async prepared(id: string, viewer: AuthUser | null): Promise<PreparedVideo> {
    const record = this.local.get(id) ?? (await this.fromSharedCache(id)) ?? (await this.loadFromDatabase(id));
    if (!record || !VideoService.canSee(viewer, record)) throw notFound('Video not found');
    return record;
  }

  /**
   * This process's local copy of a video as an anonymous viewer gets it, or undefined when there is none or
   * anonymous viewers may not see it. Synchronous: for answering warm requests before the request pipeline runs.
   */
  localForAnonymous(id: string): NonNullable<PreparedVideo['anonymous']> | undefined {
    return this.local.get(id)?.anonymous ?? undefined;
  }

  private async fromSharedCache(id: string): Promise<PreparedVideo | null> {
    const generation = this.local.currentGeneration;
    const raw = await this.cache.get(`video:${id}`);
    const prepared = raw === null ? null : decodePreparedVideo(raw);
    if (prepared) this.local.set(prepared, generation);
    return prepared;
  }

  /**
   * Cache misses for the same video share one database round trip, so an expired entry of a popular video
   * does not send every request in flight to PostgreSQL at once.
   */
  private loadFromDatabase(id: string): Promise<PreparedVideo | null> {
    let pending = this.loading.get(id);
    if (!pending) {
      const generation = this.local.currentGeneration;
      pending = (async () => {
        const row = await this.repo.findById(id);
        if (!row) return null;
        const queuePosition = row.status === 'queued' ? await this.repo.queuePosition(id) : null;
        const video = toVideoDto(row, this.urls, { queuePosition });
        const hidden = row.hidden_at !== null;
        if (row.status !== 'ready' || !row.media_prefix) return prepareVideo(video, row.user_id, hidden, null);
        const record = prepareVideo(video, row.user_id, hidden, this.playbackFor(row, video));
        await this.cache.set(`video:${id}`, encodePreparedVideo(record), VIDEO_CACHE_TTL_SECONDS);
        this.local.set(record, generation);
        return record;
      })().finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private playbackFor(row: VideoRow, video: Video): Playback {
    const prefix = row.media_prefix!;
    const link = (file: string) =>
      row.visibility === 'public'
        ? { url: this.urls.publicUrl(prefix, file), expiresAt: null }
        : this.urls.signedUrl({ prefix, linkGeneration: row.media_link_generation }, file);
    const hls = link(MEDIA_FILES.hlsMaster);
    return {
      videoId: row.id,
      hls: hls.url,
      dash: link(MEDIA_FILES.dashManifest).url,
      thumbnails: { poster: link(posterFileOf(row)).url, storyboardSprite: row.has_storyboard ? link(MEDIA_FILES.storyboardSprite).url : null },
      storyboardVtt: row.has_storyboard ? link(MEDIA_FILES.storyboardVtt).url : null,
      durationSeconds: row.duration_seconds ?? 0,
      renditions: video.renditions,
      expiresAt: hls.expiresAt ? hls.expiresAt.toISOString() : null,
    };
  }

  async get(id: string, viewer: AuthUser | null): Promise<Video> {
    return JSON.parse((await this.prepared(id, viewer)).video.body) as Video;
  }

  /** The playback links as the API sends them (serialized once per cache entry). */
  async preparedPlayback(id: string, viewer: AuthUser | null): Promise<NonNullable<PreparedVideo['playback']>> {
    const { status, playback } = await this.prepared(id, viewer);
    if (!playback) throw conflict(status === 'failed' ? 'This video could not be processed' : 'This video is still being processed', 'not_ready');
    return playback;
  }

  async playback(id: string, viewer: AuthUser | null): Promise<Playback> {
    return JSON.parse((await this.preparedPlayback(id, viewer)).body) as Playback;
  }

  async invalidate(id: string): Promise<void> {
    this.loading.delete(id);
    this.local.delete(id);
    await this.cache.del(...videoCacheKeys(id));
  }

  async listPublic(cursor: string | undefined, limit: number): Promise<VideoPage> {
    return this.page('videos:public', await this.repo.listPublic(decodeKeyset('videos:public', cursor, 'string'), limit + 1), limit);
  }

  async listByChannel(channelId: string, cursor: string | undefined, limit: number): Promise<VideoPage> {
    return this.page('videos:channel', await this.repo.listPublicByChannel(channelId, decodeKeyset('videos:channel', cursor, 'string'), limit + 1), limit);
  }

  async subscriptionFeed(user: AuthUser, cursor: string | undefined, limit: number): Promise<VideoPage> {
    return this.page(
      'videos:subscriptions',
      await this.repo.listSubscriptionFeed(user.id, decodeKeyset('videos:subscriptions', cursor, 'string'), limit + 1),
      limit,
    );
  }

  async likedVideos(user: AuthUser, cursor: string | undefined, limit: number): Promise<VideoPage> {
    return this.page('videos:liked', await this.repo.listLikedBy(user.id, decodeKeyset('videos:liked', cursor, 'string'), limit + 1), limit);
  }

  async listMine(user: AuthUser, cursor: string | undefined, limit: number): Promise<VideoPage> {
    return this.page('videos:mine', await this.repo.listByUser(user.id, decodeKeyset('videos:mine', cursor, 'string'), limit + 1), limit);
  }

  /** `rows` are `limit + 1` rows with their sort key as PostgreSQL's text (`position`), so the cursor is exact. */
  private page<R extends VideoRow & { position: string }>(order: string, rows: R[], limit: number): VideoPage {
    return pageOf(
      rows,
      limit,
      (row) => toVideoDto(row, this.urls),
      (row) => encodeKeyset(order, { key: row.position, id: row.id }),
    );
  }

  async update(id: string, user: AuthUser, input: UpdateVideoBody): Promise<Video> {
    const before = await this.ownedRow(id, user);
    const current = publishStateOf(before);
    const publishing = resolvePublishState({ visibility: input.visibility, draft: input.draft, publishAt: input.publishAt }, current, new Date());
    await this.repo.update(id, {
      ...(input.title !== undefined ? { title: input.title.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.tags !== undefined ? { tags: normaliseTags(input.tags) } : {}),
      ...(input.commentsEnabled !== undefined ? { comments_enabled: input.commentsEnabled } : {}),
      ...metadataColumns(input),
      ...(publishing
        ? {
            visibility: publishing.visibility,
            draft: publishing.draft,
            publish_at: publishing.publish_at,
            publish_visibility: publishing.publish_visibility,
            // A draft or scheduled video is published now: that is its publication date, not when it finished processing.
            ...(isPublication(current, publishing) ? { published_at: before.status === 'ready' ? new Date() : null } : {}),
          }
        : {}),
      // Fewer people may watch now (including a published video turned back into a draft or scheduled): links
      // already handed out (signed for the old generation) stop working.
      revokeMediaLinks: publishing !== null && VISIBILITY_BREADTH[publishing.visibility] < VISIBILITY_BREADTH[before.visibility],
    });
    await this.invalidate(id);
    if (publishing?.publish_at) await this.schedulePublication(publishing.publish_at);
    if (publishing?.visibility === 'public' && before.visibility !== 'public' && before.status === 'ready') await this.events.videoBecamePublic(id);
    return this.get(id, user);
  }

  /** Moves a video to another channel of the account that owns it (an admin may move anyone's, within that account). */
  async moveToChannel(id: string, user: AuthUser, channelId: string): Promise<Video> {
    const before = await this.ownedRow(id, user);
    if (before.channel_id !== channelId) {
      const channel = await this.repo.channelOwnedBy(channelId, before.user_id);
      if (!channel) throw notFound('You have no channel with that id');
      await this.repo.moveToChannel(id, channel.id);
      await this.invalidate(id);
      // Channel pages and shared listings name the channel: the move shows in them at once.
      if (before.status === 'ready') await this.listings.bump();
    }
    return this.get(id, user);
  }

  /** Publishes a draft or scheduled video now, as `visibility` or the visibility it was going to get. */
  async publish(id: string, user: AuthUser, input: PublishBody): Promise<Video> {
    const row = await this.ownedRow(id, user);
    if (!row.draft && !row.publish_at) throw conflict('This video is already published; change its visibility instead', 'already_published');
    return this.update(id, user, { draft: false, ...(input.visibility ? { visibility: input.visibility } : {}) });
  }

  /**
   * Publishes the scheduled videos whose time has come and tells subscribers about the public ones that are ready
   * (one still processing is announced when it becomes ready). Run by a job at each scheduled time and every minute.
   */
  async publishDue(): Promise<string[]> {
    const published = await this.repo.publishDue();
    // Shared listings (search suggestions, trending, home) are cached briefly; a publication shows in them at once.
    if (published.length > 0) await this.listings.bump();
    for (const video of published) {
      await this.invalidate(video.id);
      if (video.status === 'ready' && video.visibility === 'public') await this.events.videoBecamePublic(video.id);
    }
    return published.map((video) => video.id);
  }

  /** A job at the scheduled moment, so publication does not wait for the next minute's sweep. */
  private async schedulePublication(at: Date): Promise<void> {
    await this.queue.send(PUBLISH_SCHEDULED_QUEUE, {}, { startAfter: at });
  }

  /** A channel's upcoming (scheduled) videos; only its owner (or an admin) may see them. */
  async scheduledForChannel(channelId: string, viewer: AuthUser): Promise<VideoPage> {
    const owner = await this.repo.channelOwnedBy(channelId, viewer.id);
    if (!owner && viewer.role !== 'admin') return { items: [], nextCursor: null };
    const rows = await this.repo.listScheduledByChannel(channelId, 50);
    return { items: rows.map((row) => toVideoDto(row, this.urls)), nextCursor: null };
  }

  /** Removes the row, any job not yet started, and every stored file (source, upload sidecars, renditions). */
  async delete(id: string, user: AuthUser): Promise<void> {
    const row = await this.ownedRow(id, user);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.lockForDelete(trx, id);
      await cancelPendingTranscodes(trx, id);
      await cancelPendingTasks(trx, id);
      await this.repo.delete(id, trx);
    });
    await this.invalidate(id);
    const storage = this.storage;
    await storage.deletePrefix(`videos/${id}`);
    await storage.deletePrefix(uploadPartCopiesPrefix(uploadKeyFor(id)));
    for (const key of [row.source_key, uploadKeyFor(id), ...uploadSidecarKeys(id)]) if (key) await storage.delete(key);
  }

  async retry(id: string, user: AuthUser): Promise<Video> {
    const row = await this.ownedRow(id, user);
    if (row.status !== 'failed') throw conflict('Only failed videos can be retried', 'not_failed');
    if (!row.source_key) throw badRequest('This video has no uploaded file to process; upload it again', 'no_source');
    await this.db.transaction().execute(async (trx) => {
      if (await this.repo.requeueFailed(trx, id)) await enqueueTranscode(this.queue, trx, id);
    });
    await this.invalidate(id);
    return this.get(id, user);
  }

  async quota(user: AuthUser): Promise<{ usedBytes: number; limitBytes: number | null; maxFileBytes: number }> {
    const limit = this.config.USER_UPLOAD_QUOTA_BYTES;
    return { usedBytes: await this.repo.bytesUploadedBy(user.id), limitBytes: limit > 0 ? limit : null, maxFileBytes: this.config.UPLOAD_MAX_BYTES };
  }

  /** Refuses an upload of `bytes` that would take the user past their quota. */
  async assertWithinQuota(userId: string, bytes: number): Promise<void> {
    const limit = this.config.USER_UPLOAD_QUOTA_BYTES;
    if (limit <= 0) return;
    const used = await this.repo.bytesUploadedBy(userId);
    if (used + bytes > limit) {
      const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
      throw new AppError(413, 'quota_exceeded', `This upload (${mib(bytes)}) would exceed your quota: ${mib(used)} of ${mib(limit)} used`);
    }
  }

  /** Called when the tus upload completes: queue the video and its job atomically. */
  async uploadCompleted(id: string, source: { key: string; bytes: number; filename: string | null }): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.repo.markQueued(trx, id, source))) throw conflict('This video is not waiting for an upload', 'not_awaiting_upload');
      await enqueueTranscode(this.queue, trx, id);
    });
  }
}

export const PUBLISH_SCHEDULED_QUEUE = 'video.publish-scheduled';

function publishStateOf(row: VideoRow): PublishState {
  return {
    visibility: row.visibility,
    draft: row.draft,
    publish_at: row.publish_at ? new Date(row.publish_at) : null,
    publish_visibility: row.publish_visibility,
  };
}

/** Search metadata and the comments policy, as columns (only the fields the request names). */
function metadataColumns(input: Pick<CreateVideoBody, 'category' | 'language' | 'licence' | 'commentsPolicy' | 'allowDownloads'>): CreatorFields {
  return {
    ...(input.category !== undefined ? { category: input.category } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.licence !== undefined ? { licence: input.licence } : {}),
    ...(input.commentsPolicy !== undefined ? { comments_enabled: input.commentsPolicy !== 'off', comments_held: input.commentsPolicy === 'held' } : {}),
    ...(input.allowDownloads !== undefined ? { allow_downloads: input.allowDownloads } : {}),
  };
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}
