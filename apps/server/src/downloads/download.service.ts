import type { AuthUser } from '../http/auth-user.ts';
import { AppError, conflict, forbidden, notFound } from '../infra/http/errors.ts';
import type { VideoService } from '../videos/video.service.ts';
import { downloadFileName } from './download-name.ts';
import type { DownloadRepository } from './download.repository.ts';
import type PgBoss from 'pg-boss';
import type { MediaUrls } from '../playback/media-urls.ts';

export const DOWNLOAD_QUEUE = 'video.download';
export const downloadQueueOptions = { retryLimit: 0, expireInSeconds: 1800 } as const;

export interface DownloadJobData {
  videoId: string;
  mediaPrefix: string;
}

/**
 * The MP4 of a media prefix lives under it, one level down (`<prefix>/download/video.mp4`): deleting the video or
 * re-transcoding it (a new prefix, the old one deleted) removes it with the rest, and the media route, which
 * serves only files directly under a prefix, never hands it out on an unsigned path.
 */
export const downloadFileKey = (mediaPrefix: string) => `${mediaPrefix}/download/video.mp4`;
/** What a download link is signed for: never the same as the prefix, so media links and download links do not mix. */
export const downloadLinkPrefix = (mediaPrefix: string) => `${mediaPrefix}/download`;

/** A failed download is tried again on a request this long after the failure. */
const RETRY_FAILED_AFTER_SECONDS = 300;
/** A pending download whose job has not reported for this long (worker gone) is queued again. */
export const STALE_PENDING_AFTER_SECONDS = 120;

export type DownloadState = { status: 'ready'; url: string; fileName: string; bytes: number; expiresAt: Date } | { status: 'preparing'; progress: number };

/** Who may download what, and the on-demand MP4 behind it (made by the `video.download` job, see download.maker.ts). */
export class DownloadService {
  constructor(
    private readonly repo: DownloadRepository,
    private readonly videos: VideoService,
    private readonly urls: MediaUrls,
    private readonly queue: PgBoss,
  ) {}

  /**
   * The download link when the MP4 exists, else its progress (queuing the job that makes it on the first request).
   * Who may download: whoever may watch, when the creator allows downloads; the owner and admins always.
   */
  async request(videoId: string, viewer: AuthUser | null): Promise<DownloadState> {
    // The watch page's rules first: others' private, hidden or unfinished videos are missing, not forbidden.
    await this.videos.prepared(videoId, viewer);
    const video = await this.repo.video(videoId);
    if (!video) throw notFound('Video not found');
    const privileged = viewer !== null && (viewer.id === video.user_id || viewer.role === 'admin');
    if (!privileged && !video.allow_downloads) throw forbidden('The creator has not allowed downloads of this video', 'downloads_disabled');
    if (video.hidden_at !== null) throw forbidden('This video has been hidden by moderation; it cannot be downloaded', 'video_hidden');
    if (video.status !== 'ready' || !video.media_prefix) throw conflict('The video can be downloaded once it has finished processing', 'not_ready');
    const prefix = video.media_prefix;

    let row = await this.repo.find(videoId);
    if (row?.media_prefix === prefix && row.status === 'ready' && row.file_key) {
      const fileName = downloadFileName(video.title);
      const link = this.urls.signedUrl({ prefix: downloadLinkPrefix(prefix), linkGeneration: video.media_link_generation }, encodeURIComponent(fileName));
      return { status: 'ready', url: link.url, fileName, bytes: row.bytes ?? 0, expiresAt: link.expiresAt };
    }
    if (await this.repo.claimPending(videoId, prefix, RETRY_FAILED_AFTER_SECONDS, STALE_PENDING_AFTER_SECONDS)) {
      await this.queue.send(DOWNLOAD_QUEUE, { videoId, mediaPrefix: prefix } satisfies DownloadJobData, downloadQueueOptions);
      row = await this.repo.find(videoId);
    }
    if (row?.status === 'failed') {
      throw new AppError(409, 'download_failed', 'The download could not be prepared; try again in a few minutes', {
        'retry-after': String(RETRY_FAILED_AFTER_SECONDS),
      });
    }
    return { status: 'preparing', progress: row?.progress ?? 0 };
  }

  /**
   * The stored MP4 a download link points at, once its token is checked: signed for `<prefix>/download` of the
   * video's current version (never valid for the media files, nor theirs for this) and its link generation.
   */
  async fileForLink(videoId: string, version: string, token: string): Promise<string> {
    const prefix = `videos/${videoId}/${version}`;
    const video = await this.repo.video(videoId);
    if (!video || video.media_prefix !== prefix || video.status !== 'ready' || video.hidden_at !== null) throw notFound('No such media file');
    const verdict = this.urls.verify(token, { prefix: downloadLinkPrefix(prefix), linkGeneration: video.media_link_generation });
    if (verdict !== 'ok')
      throw new AppError(
        403,
        verdict === 'expired' ? 'link_expired' : 'invalid_signature',
        verdict === 'expired' ? 'This download link has expired; start the download again' : 'This download link is not valid',
      );
    const row = await this.repo.find(videoId);
    if (row?.media_prefix !== prefix || row.status !== 'ready' || !row.file_key) throw notFound('No such media file');
    return row.file_key;
  }
}
