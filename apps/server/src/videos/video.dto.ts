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

export function toVideoDto(row: VideoRow, urls: MediaUrls, extra: { queuePosition?: number | null } = {}): Video {
  const prefix = row.status === 'ready' ? row.media_prefix : null;
  const url = (file: string) => (prefix ? (row.visibility === 'public' ? urls.publicUrl(prefix, file) : urls.signedUrl(prefix, file).url) : null);
  const hls = url(MEDIA_FILES.hlsMaster);
  const dash = url(MEDIA_FILES.dashManifest);
  const storyboardVtt = row.has_storyboard ? url(MEDIA_FILES.storyboardVtt) : null;
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    visibility: row.visibility,
    status: row.status,
    error: row.status === 'failed' ? row.error : null,
    progress: row.status === 'processing' || row.status === 'queued' ? (row.progress ?? 0) : row.status === 'ready' ? 1 : null,
    etaSeconds: row.status === 'processing' ? row.eta_seconds : null,
    queuePosition: extra.queuePosition ?? null,
    durationSeconds: row.duration_seconds,
    width: row.width,
    height: row.height,
    renditions: row.status === 'ready' ? row.renditions : [],
    thumbnailUrl: url(MEDIA_FILES.poster),
    storyboard: storyboardVtt ? { vttUrl: storyboardVtt } : null,
    playback: hls && dash ? { hls, dash } : null,
    tags: row.tags,
    viewCount: row.view_count,
    likeCount: row.like_count,
    dislikeCount: row.dislike_count,
    commentCount: row.comment_count,
    commentsEnabled: row.comments_enabled,
    channel: { id: row.channel_id, handle: row.channel_handle, name: row.channel_name },
    createdAt: row.created_at.toISOString(),
    publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
  };
}
