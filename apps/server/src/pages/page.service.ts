import type { OEmbedVideo, Video } from '@tube/shared';
import type { ChannelService } from '../channels/channel.service.ts';
import { AppError, badRequest, notFound } from '../infra/http/errors.ts';
import type { PlaylistService } from '../playlists/playlist.service.ts';
import type { VideoService } from '../videos/video.service.ts';
import { SITE_NAME, escapeHtml, type PageHead } from './page-head.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The size of the embedded player in previews and oEmbed when the video's own size is unknown. */
const DEFAULT_PLAYER = { width: 640, height: 360 };

/** Absolute form of a link the API gives relative to the server (media without MEDIA_BASE_URL). */
const absolute = (origin: string, url: string | null) => (url === null ? null : url.startsWith('/') ? `${origin}${url}` : url);

export const watchUrl = (origin: string, videoId: string) => `${origin}/watch/${videoId}`;
export const embedUrl = (origin: string, videoId: string) => `${origin}/embed/${videoId}`;
export const oembedUrl = (origin: string, pageUrl: string) => `${origin}/oembed?format=json&url=${encodeURIComponent(pageUrl)}`;

/** The player size for a video at most `max` wide/high, keeping its aspect ratio. */
export function playerSize(video: Pick<Video, 'width' | 'height'>, max: { width?: number; height?: number } = {}): { width: number; height: number } {
  const aspect = video.width && video.height ? video.width / video.height : DEFAULT_PLAYER.width / DEFAULT_PLAYER.height;
  let width = Math.min(DEFAULT_PLAYER.width, max.width ?? Number.POSITIVE_INFINITY);
  let height = Math.round(width / aspect);
  if (max.height !== undefined && height > max.height) {
    height = max.height;
    width = Math.round(height * aspect);
  }
  return { width, height };
}

/**
 * What link previews say about a page. Everything is looked up as an anonymous viewer, which is what a
 * preview bot is: private videos and playlists get the generic head (null), exactly like missing ones.
 * Unlisted ones are previewed (whoever has the link may watch) but marked noindex.
 */
export class PageService {
  constructor(
    private readonly videos: VideoService,
    private readonly channels: ChannelService,
    private readonly playlists: PlaylistService,
  ) {}

  /** The video an anonymous viewer may watch, or null. */
  private async watchableVideo(id: string): Promise<Video | null> {
    if (!UUID.test(id)) return null;
    const video = await this.videos.get(id, null).catch(ignoreNotFound);
    return video && video.status === 'ready' ? video : null;
  }

  async videoHead(origin: string, id: string): Promise<PageHead | null> {
    const video = await this.watchableVideo(id);
    if (!video) return null;
    const canonicalUrl = watchUrl(origin, video.id);
    return {
      title: `${video.title} - ${SITE_NAME}`,
      description: video.description || `${video.title} by ${video.channel.name}`,
      canonicalUrl,
      ogType: 'video.other',
      imageUrl: absolute(origin, video.thumbnailUrl),
      player: { embedUrl: embedUrl(origin, video.id), ...playerSize(video), durationSeconds: video.durationSeconds },
      oembedUrl: oembedUrl(origin, canonicalUrl),
      noindex: video.visibility !== 'public',
    };
  }

  async channelHead(origin: string, handle: string): Promise<PageHead | null> {
    const channel = await this.channels.get(handle, null).catch(ignoreNotFound);
    if (!channel) return null;
    return {
      title: `${channel.name} - ${SITE_NAME}`,
      description: channel.description || `Videos from ${channel.name} (@${channel.handle}) on ${SITE_NAME}`,
      canonicalUrl: `${origin}/channel/${encodeURIComponent(channel.handle)}`,
      ogType: 'profile',
      imageUrl: absolute(origin, channel.avatarUrl),
    };
  }

  async playlistHead(origin: string, id: string): Promise<PageHead | null> {
    if (!UUID.test(id)) return null;
    const playlist = await this.playlists.get(id, null).catch(ignoreNotFound);
    if (!playlist || playlist.kind !== 'regular') return null;
    return {
      title: `${playlist.title} - ${SITE_NAME}`,
      description: playlist.description || `A playlist of ${playlist.videoCount} video${playlist.videoCount === 1 ? '' : 's'} by ${playlist.owner.username}`,
      canonicalUrl: `${origin}/playlist/${playlist.id}`,
      ogType: 'website',
      imageUrl: absolute(origin, playlist.thumbnailUrl),
      noindex: playlist.visibility !== 'public',
    };
  }

  /** oEmbed for a watch or embed link of this server (`origins` are the ones that name it). */
  async oembed(origins: readonly string[], pageUrl: string, max: { width?: number; height?: number }): Promise<OEmbedVideo> {
    let parsed: URL;
    try {
      parsed = new URL(pageUrl);
    } catch {
      throw badRequest('url must be an absolute link to a video on this server', 'invalid_url');
    }
    const id = /^\/(?:watch|embed)\/([^/]+)\/?$/.exec(parsed.pathname)?.[1];
    if (!origins.includes(parsed.origin) || id === undefined) throw badRequest('url must be a watch link of a video on this server', 'invalid_url');
    const video = await this.watchableVideo(decodeURIComponent(id));
    if (!video) throw notFound('Video not found');
    const origin = origins[0]!;
    const size = playerSize(video, max);
    return {
      version: '1.0',
      type: 'video',
      title: video.title,
      author_name: video.channel.name,
      author_url: `${origin}/channel/${encodeURIComponent(video.channel.handle)}`,
      provider_name: SITE_NAME,
      provider_url: `${origin}/`,
      html: iframeHtml(embedUrl(origin, video.id), video.title, size),
      width: size.width,
      height: size.height,
      ...(video.thumbnailUrl
        ? { thumbnail_url: absolute(origin, video.thumbnailUrl)!, thumbnail_width: video.width ?? size.width, thumbnail_height: video.height ?? size.height }
        : {}),
    };
  }
}

export function iframeHtml(src: string, title: string, size: { width: number; height: number }): string {
  return `<iframe width="${size.width}" height="${size.height}" src="${escapeHtml(src)}" title="${escapeHtml(title)}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`;
}

function ignoreNotFound(error: unknown): null {
  if (error instanceof AppError && error.statusCode === 404) return null;
  throw error;
}
