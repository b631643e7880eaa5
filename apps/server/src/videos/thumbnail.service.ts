import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPosterArgs } from '@tube/ladder';
import type { Video } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { badRequest, conflict } from '../infra/http/errors.ts';
import { resolveFfmpeg, runProcess, type FfmpegBinaries } from '../infra/ffmpeg/ffmpeg.ts';
import { ImageRejectedError, type ImageProcessor } from '../infra/images/images.ts';
import type { VideoService } from './video.service.ts';
import type { VideoRepository, VideoRow } from './video.repository.ts';
import type { Config } from '../config.ts';
import type { Storage } from '../infra/storage/storage.ts';

/** YouTube's recommended thumbnail size; cards and the player poster scale it down. */
export const THUMBNAIL_SIZE = { width: 1280, height: 720 } as const;

/** Custom thumbnail files live beside the video's media, named randomly so each upload is a new immutable URL. */
export const CUSTOM_THUMBNAIL = /^thumb-[0-9a-f]{12}\.jpg$/;

/**
 * Custom thumbnails: an uploaded image, or a frame of the video chosen from the storyboard. Either way the result is
 * a re-encoded JPEG stored under the video's current media prefix, so the media route serves it with the same
 * access rules (public, or signed for unlisted/private) as the generated poster.
 */
export class ThumbnailService {
  private binaries: FfmpegBinaries | null = null;

  constructor(
    private readonly videos: VideoService,
    private readonly videoRepo: VideoRepository,
    private readonly storage: Storage,
    /** The shared image module (format by magic bytes, IMAGE_MAX_PIXELS read from the header, IMAGE_TIMEOUT_SECONDS). */
    private readonly images: ImageProcessor,
    private readonly config: Pick<Config, 'FFMPEG_PATH' | 'FFPROBE_PATH'>,
  ) {}

  async upload(id: string, user: AuthUser, image: Buffer): Promise<Video> {
    const row = await this.readyRow(id, user);
    let jpeg: Buffer;
    try {
      jpeg = await this.images.coverJpeg(image, THUMBNAIL_SIZE);
    } catch (error) {
      if (error instanceof ImageRejectedError) throw badRequest(error.message, 'invalid_image');
      throw error;
    }
    return this.store(row, user, jpeg);
  }

  /** A frame at `atSeconds`, taken from the original upload at full quality. */
  async fromFrame(id: string, user: AuthUser, atSeconds: number): Promise<Video> {
    const row = await this.readyRow(id, user);
    if (atSeconds > (row.duration_seconds ?? 0)) throw badRequest('That moment is after the end of the video', 'invalid_time');
    if (!row.source_key || !(await this.storage.exists(row.source_key))) {
      throw conflict('The original file of this video was not kept, so frames cannot be taken from it; upload an image instead', 'no_source');
    }
    this.binaries ??= resolveFfmpeg(this.config);
    const dir = await mkdtemp(path.join(tmpdir(), 'tube-frame-'));
    try {
      const source = path.join(dir, 'source');
      const frame = path.join(dir, 'frame.jpg');
      await this.storage.download(row.source_key, source);
      // Just before the end, so a frame exists even for the last moment.
      const at = Math.max(0, Math.min(atSeconds, (row.duration_seconds ?? 0) - 0.1));
      try {
        await runProcess(this.binaries.ffmpeg, buildPosterArgs({ input: source, output: frame, atSeconds: at, width: THUMBNAIL_SIZE.width }));
      } catch {
        throw conflict('No frame could be taken from the video at that moment; try another', 'frame_failed');
      }
      return this.store(row, user, await this.images.coverJpeg(await readFile(frame), THUMBNAIL_SIZE));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Back to the poster generated while processing. */
  async reset(id: string, user: AuthUser): Promise<Video> {
    const row = await this.videos.ownedRow(id, user);
    await this.replace(row, null);
    return this.videos.get(id, user);
  }

  private async readyRow(id: string, user: AuthUser): Promise<VideoRow> {
    const row = await this.videos.ownedRow(id, user);
    if (row.status !== 'ready' || !row.media_prefix) throw conflict('A thumbnail can be set once the video has finished processing', 'not_ready');
    return row;
  }

  private async store(row: VideoRow, user: AuthUser, jpeg: Buffer): Promise<Video> {
    const file = `thumb-${randomBytes(6).toString('hex')}.jpg`;
    await this.storage.put(`${row.media_prefix!}/${file}`, jpeg, 'image/jpeg');
    await this.replace(row, file);
    return this.videos.get(row.id, user);
  }

  /** Points the video at `file` first, then removes the old file, so no reader is ever left with a missing poster. */
  private async replace(row: VideoRow, file: string | null): Promise<void> {
    await this.videoRepo.update(row.id, { thumbnail_file: file });
    await this.videos.invalidate(row.id);
    if (row.thumbnail_file && row.media_prefix && CUSTOM_THUMBNAIL.test(row.thumbnail_file)) {
      await this.storage.delete(`${row.media_prefix}/${row.thumbnail_file}`).catch(() => undefined);
    }
  }
}
