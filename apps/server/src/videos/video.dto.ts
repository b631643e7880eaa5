import type { Video } from '@tube/shared';
import type { MediaUrls } from '../playback/media-urls.ts';
import type { VideoRow } from './video.repository.ts';

/** File names inside a video's media prefix (written by the transcoding worker). */
export const MEDIA_FILES = {
  hlsMaster: 'master.m3u8',
  dashManifest: 'manifest.mpd',
  poster: 'poster.jpg',
  storyboardVtt: 'storyboard.vtt',
  storyboardSprite: 'storyboard.jpg',
} as const;

/** The poster people see: the creator's custom thumbnail when there is one (stored beside the media), else the generated one. */
export function posterFileOf(row: { thumbnail_file: string | null }): string {
  return row.thumbnail_file ?? MEDIA_FILES.poster;
}

export function commentsPolicyOf(row: { comments_enabled: boolean; comments_held: boolean }): 'on' | 'off' | 'held' {
  if (!row.comments_enabled) return 'off';
  return row.comments_held ? 'held' : 'on';
}

export function toVideoDto(row: VideoRow, urls: MediaUrls, extra: { queuePosition?: number | null } = {}): Video {
  // A `playable` video (chunked pipeline) already has its HLS playlists growing under its prefix; no MPD yet.
  const playable = row.status === 'playable';
  const prefix = row.status === 'ready' || playable ? row.media_prefix : null;
  const url = (file: string) =>
    prefix
      ? row.visibility === 'public'
        ? urls.publicUrl(prefix, file)
        : urls.signedUrl({ prefix, linkGeneration: row.media_link_generation }, file).url
      : null;
  const hls = url(MEDIA_FILES.hlsMaster);
  const dash = playable ? null : url(MEDIA_FILES.dashManifest);
  const storyboardVtt = row.has_storyboard ? url(MEDIA_FILES.storyboardVtt) : null;
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    visibility: row.visibility,
    status: row.status,
    error: row.status === 'failed' ? row.error : null,
    progress: row.status === 'processing' || row.status === 'queued' || playable ? (row.progress ?? 0) : row.status === 'ready' ? 1 : null,
    etaSeconds: row.status === 'processing' || playable ? row.eta_seconds : null,
    queuePosition: extra.queuePosition ?? null,
    rungProgress:
      row.status === 'processing' || playable
        ? row.rung_progress.map((rung) => ({ name: rung.name, progress: rung.progress, etaSeconds: rung.etaSeconds ?? null }))
        : [],
    processingStart: row.status === 'ready' ? null : row.processing_start,
    processingStartNote: row.status === 'ready' ? null : row.processing_start_note,
    durationSeconds: row.duration_seconds,
    width: row.width,
    height: row.height,
    renditions: row.status === 'ready' || playable ? row.renditions : [],
    thumbnailUrl: url(posterFileOf(row)),
    storyboard: storyboardVtt ? { vttUrl: storyboardVtt } : null,
    playback: hls && (dash || playable) ? { hls, dash } : null,
    tags: row.tags,
    viewCount: row.view_count,
    likeCount: row.like_count,
    dislikeCount: row.dislike_count,
    commentCount: row.comment_count,
    commentsEnabled: row.comments_enabled,
    channel: { id: row.channel_id, handle: row.channel_handle, name: row.channel_name },
    createdAt: row.created_at.toISOString(),
    publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
    draft: row.draft,
    scheduledAt: row.publish_at ? new Date(row.publish_at).toISOString() : null,
    scheduledVisibility: row.publish_at || row.draft ? row.publish_visibility : null,
    category: row.category as Video['category'],
    language: row.language,
    licence: row.licence as Video['licence'],
    commentsPolicy: commentsPolicyOf(row),
    allowDownloads: row.allow_downloads,
  };
}
