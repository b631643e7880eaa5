import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { captionPlaylist, withDashCaptions, withHlsCaptions, type CaptionTrack as ManifestTrack } from '@tube/ladder';
import type { CaptionTrack } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { AppError, badRequest, conflict, notFound } from '../infra/http/errors.ts';
import { mediaContentType } from '../playback/media-types.ts';
import { MEDIA_FILES } from '../videos/video.dto.ts';
import type { VideoRepository, VideoRow } from '../videos/video.repository.ts';
import type { VideoService } from '../videos/video.service.ts';
import { CaptionFormatError, normaliseCaptions } from './caption-format.ts';
import type { CaptionRepository } from './caption.repository.ts';
import type { Config } from '../config.ts';
import type { Db } from '../infra/db/database.ts';
import type { Storage } from '../infra/storage/storage.ts';
import type { MediaUrls } from '../playback/media-urls.ts';

type CaptionRow = Awaited<ReturnType<CaptionRepository['list']>>[number];

/** File names are per content, so the immutable caching of media files never serves an old caption. */
function filesOf(row: Pick<CaptionRow, 'language' | 'vtt'>): { vttFile: string; playlistFile: string } {
  const hash = createHash('sha256').update(row.vtt).digest('hex').slice(0, 10);
  return { vttFile: `captions-${row.language}-${hash}.vtt`, playlistFile: `captions-${row.language}-${hash}.m3u8` };
}

export function canonicalLanguage(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? tag;
  } catch {
    throw badRequest(`"${tag}" is not a language tag like en or pt-BR`, 'invalid_language');
  }
}

export function languageLabel(language: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Caption tracks: uploaded by the video's owner as WebVTT or SRT, kept as clean WebVTT in PostgreSQL, and
 * published next to the video's media (so the same signed links cover them) with the HLS master and DASH
 * manifest rewritten to list them.
 */
export class CaptionService {
  constructor(
    private readonly repo: CaptionRepository,
    private readonly videos: VideoService,
    private readonly videoRepo: VideoRepository,
    private readonly urls: MediaUrls,
    private readonly db: Db,
    private readonly storage: Storage,
    private readonly config: Pick<Config, 'CAPTION_MAX_BYTES'>,
  ) {}

  /** The tracks of a video the viewer may watch (private videos: only their owner). */
  async list(videoId: string, viewer: AuthUser | null): Promise<CaptionTrack[]> {
    const video = await this.videos.get(videoId, viewer);
    if (video.status !== 'ready') return [];
    const row = await this.videoRepo.findById(videoId);
    if (!row?.media_prefix) return [];
    const prefix = row.media_prefix;
    return (await this.repo.list(videoId)).map((caption) => {
      const { vttFile } = filesOf(caption);
      const url =
        row.visibility === 'public'
          ? this.urls.publicUrl(prefix, vttFile)
          : this.urls.signedUrl({ prefix, linkGeneration: row.media_link_generation }, vttFile).url;
      return { language: caption.language, label: caption.label, url, cueCount: caption.cue_count, updatedAt: caption.updated_at.toISOString() };
    });
  }

  async put(videoId: string, user: AuthUser, languageTag: string, label: string | undefined, bytes: Buffer): Promise<CaptionTrack[]> {
    const row = await this.readyOwnedRow(videoId, user);
    const limit = this.config.CAPTION_MAX_BYTES;
    if (bytes.length > limit) throw new AppError(413, 'caption_too_large', `Caption files can be at most ${Math.floor(limit / 1024)} KB`);
    if (bytes.length === 0) throw badRequest('The caption file is empty', 'invalid_captions');
    let normalised: { vtt: string; cueCount: number };
    try {
      normalised = normaliseCaptions(bytes);
    } catch (error) {
      if (error instanceof CaptionFormatError) throw badRequest(error.message, 'invalid_captions');
      throw error;
    }
    const language = canonicalLanguage(languageTag);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.lockVideo(trx, videoId);
      await this.repo.upsert(trx, { videoId, language, label: label?.trim() || languageLabel(language), vtt: normalised.vtt, cueCount: normalised.cueCount });
      await this.publish(row, await this.repo.list(videoId, trx));
    });
    return this.list(videoId, user);
  }

  async delete(videoId: string, user: AuthUser, languageTag: string): Promise<CaptionTrack[]> {
    const row = await this.readyOwnedRow(videoId, user);
    const language = canonicalLanguage(languageTag);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.lockVideo(trx, videoId);
      if (!(await this.repo.delete(trx, videoId, language))) throw notFound('This video has no captions in that language');
      await this.publish(row, await this.repo.list(videoId, trx));
    });
    return this.list(videoId, user);
  }

  private async readyOwnedRow(videoId: string, user: AuthUser): Promise<VideoRow & { media_prefix: string }> {
    const row = await this.videos.ownedRow(videoId, user);
    if (row.status !== 'ready' || !row.media_prefix) throw conflict('Captions can be added once the video has been processed', 'not_ready');
    return row as VideoRow & { media_prefix: string };
  }

  /**
   * Writes every track's files, then the manifests listing exactly these tracks, then removes caption files
   * no track uses any more. Runs inside the caller's transaction, which holds the video's row lock.
   */
  private async publish(row: VideoRow & { media_prefix: string }, captions: CaptionRow[]): Promise<void> {
    const storage = this.storage;
    const prefix = row.media_prefix;
    const tracks: ManifestTrack[] = captions.map((caption) => ({ language: caption.language, label: caption.label, ...filesOf(caption) }));
    for (const [index, track] of tracks.entries()) {
      await storage.put(`${prefix}/${track.vttFile}`, captions[index]!.vtt, mediaContentType(track.vttFile));
      await storage.put(`${prefix}/${track.playlistFile}`, captionPlaylist(track.vttFile, row.duration_seconds ?? 0), mediaContentType(track.playlistFile));
    }
    for (const [file, rewrite] of [
      [MEDIA_FILES.hlsMaster, withHlsCaptions],
      [MEDIA_FILES.dashManifest, withDashCaptions],
    ] as const) {
      const stored = await storage.read(`${prefix}/${file}`);
      if (!stored) continue;
      await storage.put(`${prefix}/${file}`, rewrite(await readText(stored.body), tracks), mediaContentType(file));
    }
    const current = new Set(tracks.flatMap((track) => [track.vttFile, track.playlistFile]));
    for (const key of await storage.list(`${prefix}/`)) {
      const file = key.slice(prefix.length + 1);
      if (file.startsWith('captions-') && !current.has(file)) await storage.delete(key);
    }
  }
}
