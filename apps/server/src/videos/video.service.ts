import type { CreateVideoBody, CreatedVideo, Playback, UpdateVideoBody, Video, VideoPage } from '@tube/shared';
import { getJson, setJson } from '../infra/cache/cache.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Infra } from '../infra/infra.ts';
import { AppError, badRequest, conflict, notFound } from '../infra/http/errors.ts';
import { MediaUrls } from '../playback/media-urls.ts';
import { VideoEventNotifier } from '../notifications/video-events.ts';
import { cancelPendingTranscodes, enqueueTranscode } from '../transcoding/transcode.queue.ts';
import { MEDIA_FILES, toVideoDto } from './video.dto.ts';
import { decodeCursor, encodeCursor, VideoRepository, type VideoRow } from './video.repository.ts';

export const UPLOAD_PATH = '/api/v1/uploads';

/** Where the tus server keeps an upload in storage, and the sidecar files it writes next to it. */
export const uploadKeyFor = (videoId: string) => `uploads/${videoId}`;
const uploadSidecarKeys = (videoId: string) => [`${uploadKeyFor(videoId)}.json`, `${uploadKeyFor(videoId)}.info`];

/** What the cache keeps per ready video: the response, who owns it, and its generated playback links. */
interface CachedVideo {
  video: Video;
  userId: string;
  playback: Playback;
  hidden: boolean;
}

const VIDEO_CACHE_TTL_SECONDS = 30;
export const videoCacheKeys = (id: string) => [`video:${id}`, `video-access:${id}`];

export class VideoService {
  readonly repo: VideoRepository;
  readonly urls: MediaUrls;

  private readonly events: VideoEventNotifier;
  private readonly loading = new Map<string, Promise<(Omit<CachedVideo, 'playback'> & { playback: Playback | null }) | null>>();

  constructor(private readonly infra: Infra) {
    this.repo = new VideoRepository(infra.db);
    this.events = new VideoEventNotifier(infra);
    this.urls = new MediaUrls(infra.config);
  }

  /** `origin` is where the client reached us; the upload URL is given relative to it. */
  async create(user: AuthUser, input: CreateVideoBody, origin: string): Promise<CreatedVideo> {
    const channel = input.channelId ? await this.repo.channelOwnedBy(input.channelId, user.id) : await this.repo.defaultChannelOf(user.id);
    if (!channel) throw input.channelId ? notFound('You have no channel with that id') : conflict('Your account has no channel to publish to', 'no_channel');
    const id = await this.repo.create({
      userId: user.id,
      channelId: channel.id,
      title: input.title.trim(),
      description: input.description ?? '',
      visibility: input.visibility ?? 'public',
      tags: normaliseTags(input.tags ?? []),
    });
    return { id, status: 'awaiting_upload', upload: { url: `${origin}${UPLOAD_PATH}`, maxBytes: this.infra.config.UPLOAD_MAX_BYTES } };
  }

  /** Owners and admins see everything; others see ready videos that are not private and not hidden by moderation. */
  private static canSee(viewer: AuthUser | null, record: { userId: string; visibility: Video['visibility']; status: Video['status']; hidden: boolean }): boolean {
    const isOwner = viewer !== null && (viewer.id === record.userId || viewer.role === 'admin');
    return isOwner || (record.visibility !== 'private' && record.status === 'ready' && !record.hidden);
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
  private async load(id: string, viewer: AuthUser | null): Promise<{ video: Video; playback: Playback | null }> {
    const record = (await getJson<CachedVideo>(this.infra.cache, `video:${id}`)) ?? (await this.loadFromDatabase(id));
    if (!record || !VideoService.canSee(viewer, { userId: record.userId, visibility: record.video.visibility, status: record.video.status, hidden: record.hidden })) {
      throw notFound('Video not found');
    }
    return record;
  }

  /**
   * Cache misses for the same video share one database round trip, so an expired entry of a popular video
   * does not send every request in flight to PostgreSQL at once.
   */
  private loadFromDatabase(id: string): Promise<(Omit<CachedVideo, 'playback'> & { playback: Playback | null }) | null> {
    let pending = this.loading.get(id);
    if (!pending) {
      pending = (async () => {
        const row = await this.repo.findById(id);
        if (!row) return null;
        const queuePosition = row.status === 'queued' ? await this.repo.queuePosition(id) : null;
        const video = toVideoDto(row, this.urls, { queuePosition });
        const hidden = row.hidden_at !== null;
        if (row.status !== 'ready' || !row.media_prefix) return { video, userId: row.user_id, playback: null, hidden };
        const record: CachedVideo = { video, userId: row.user_id, playback: this.playbackFor(row, video), hidden };
        await setJson(this.infra.cache, `video:${id}`, record, VIDEO_CACHE_TTL_SECONDS);
        return record;
      })().finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  private playbackFor(row: VideoRow, video: Video): Playback {
    const prefix = row.media_prefix!;
    const link = (file: string) => (row.visibility === 'public' ? { url: this.urls.publicUrl(prefix, file), expiresAt: null } : this.urls.signedUrl(prefix, file));
    const hls = link(MEDIA_FILES.hlsMaster);
    return {
      videoId: row.id,
      hls: hls.url,
      dash: link(MEDIA_FILES.dashManifest).url,
      thumbnails: { poster: link(MEDIA_FILES.poster).url, storyboardSprite: row.has_storyboard ? link(MEDIA_FILES.storyboardSprite).url : null },
      storyboardVtt: row.has_storyboard ? link(MEDIA_FILES.storyboardVtt).url : null,
      durationSeconds: row.duration_seconds ?? 0,
      renditions: video.renditions,
      expiresAt: hls.expiresAt ? hls.expiresAt.toISOString() : null,
    };
  }

  async get(id: string, viewer: AuthUser | null): Promise<Video> {
    return (await this.load(id, viewer)).video;
  }

  async playback(id: string, viewer: AuthUser | null): Promise<Playback> {
    const { video, playback } = await this.load(id, viewer);
    if (!playback) throw conflict(video.status === 'failed' ? 'This video could not be processed' : 'This video is still being processed', 'not_ready');
    return playback;
  }

  async invalidate(id: string): Promise<void> {
    this.loading.delete(id);
    await this.infra.cache.del(...videoCacheKeys(id));
  }

  async listPublic(cursor: string | undefined, limit: number): Promise<VideoPage> {
    const rows = await this.repo.listPublic(decodeCursor(cursor), limit + 1);
    return this.page(rows, limit, (row) => ({ at: new Date(row.published_at!), id: row.id }));
  }

  async listByChannel(channelId: string, cursor: string | undefined, limit: number): Promise<VideoPage> {
    const rows = await this.repo.listPublicByChannel(channelId, decodeCursor(cursor), limit + 1);
    return this.page(rows, limit, (row) => ({ at: new Date(row.published_at!), id: row.id }));
  }

  async subscriptionFeed(user: AuthUser, cursor: string | undefined, limit: number): Promise<VideoPage> {
    const rows = await this.repo.listSubscriptionFeed(user.id, decodeCursor(cursor), limit + 1);
    return this.page(rows, limit, (row) => ({ at: new Date(row.published_at!), id: row.id }));
  }

  async likedVideos(user: AuthUser, cursor: string | undefined, limit: number): Promise<VideoPage> {
    const rows = await this.repo.listLikedBy(user.id, decodeCursor(cursor), limit + 1);
    return this.page(rows, limit, (row) => ({ at: row.liked_at, id: row.id }));
  }

  async listMine(user: AuthUser, cursor: string | undefined, limit: number): Promise<VideoPage> {
    const rows = await this.repo.listByUser(user.id, decodeCursor(cursor), limit + 1);
    return this.page(rows, limit, (row) => ({ at: row.created_at, id: row.id }));
  }

  private page<R extends VideoRow>(rows: R[], limit: number, cursorOf: (row: R) => { at: Date; id: string }): VideoPage {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items: items.map((row) => toVideoDto(row, this.urls)), nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
  }

  async update(id: string, user: AuthUser, input: UpdateVideoBody): Promise<Video> {
    const before = await this.ownedRow(id, user);
    await this.repo.update(id, {
      ...(input.title !== undefined ? { title: input.title.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
      ...(input.tags !== undefined ? { tags: normaliseTags(input.tags) } : {}),
      ...(input.commentsEnabled !== undefined ? { comments_enabled: input.commentsEnabled } : {}),
    });
    await this.invalidate(id);
    if (input.visibility === 'public' && before.visibility !== 'public' && before.status === 'ready') await this.events.videoBecamePublic(id);
    return this.get(id, user);
  }

  /** Removes the row, any job not yet started, and every stored file (source, upload sidecars, renditions). */
  async delete(id: string, user: AuthUser): Promise<void> {
    const row = await this.ownedRow(id, user);
    await this.infra.db.transaction().execute(async (trx) => {
      await cancelPendingTranscodes(trx, id);
      await trx.deleteFrom('videos').where('id', '=', id).execute();
    });
    await this.invalidate(id);
    const { storage } = this.infra;
    await storage.deletePrefix(`videos/${id}`);
    for (const key of [row.source_key, uploadKeyFor(id), ...uploadSidecarKeys(id)]) if (key) await storage.delete(key);
  }

  async retry(id: string, user: AuthUser): Promise<Video> {
    const row = await this.ownedRow(id, user);
    if (row.status !== 'failed') throw conflict('Only failed videos can be retried', 'not_failed');
    if (!row.source_key) throw badRequest('This video has no uploaded file to process; upload it again', 'no_source');
    await this.infra.db.transaction().execute(async (trx) => {
      if (await this.repo.requeueFailed(trx, id)) await enqueueTranscode(this.infra.queue, trx, id);
    });
    await this.invalidate(id);
    return this.get(id, user);
  }

  async quota(user: AuthUser): Promise<{ usedBytes: number; limitBytes: number | null }> {
    const limit = this.infra.config.USER_UPLOAD_QUOTA_BYTES;
    return { usedBytes: await this.repo.bytesUploadedBy(user.id), limitBytes: limit > 0 ? limit : null };
  }

  /** Refuses an upload of `bytes` that would take the user past their quota. */
  async assertWithinQuota(userId: string, bytes: number): Promise<void> {
    const limit = this.infra.config.USER_UPLOAD_QUOTA_BYTES;
    if (limit <= 0) return;
    const used = await this.repo.bytesUploadedBy(userId);
    if (used + bytes > limit) {
      const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
      throw new AppError(413, 'quota_exceeded', `This upload (${mib(bytes)}) would exceed your quota: ${mib(used)} of ${mib(limit)} used`);
    }
  }

  /** Called when the tus upload completes: queue the video and its job atomically. */
  async uploadCompleted(id: string, source: { key: string; bytes: number; filename: string | null }): Promise<void> {
    await this.infra.db.transaction().execute(async (trx) => {
      if (!(await this.repo.markQueued(trx, id, source))) throw conflict('This video is not waiting for an upload', 'not_awaiting_upload');
      await enqueueTranscode(this.infra.queue, trx, id);
    });
  }
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()).filter(Boolean))];
}
