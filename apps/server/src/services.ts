import type { AccountEmails } from './accounts/account-emails.ts';
import type { AccountRepository } from './accounts/account.repository.ts';
import type { AccountService } from './accounts/account.service.ts';
import type { AnalyticsRepository } from './analytics/analytics.repository.ts';
import type { CaptionRepository } from './captions/caption.repository.ts';
import type { ChannelRepository } from './channels/channel.repository.ts';
import type { CommentRepository } from './social/comment.repository.ts';
import type { DiscoveryRepository } from './discovery/discovery.repository.ts';
import type { DownloadRepository } from './downloads/download.repository.ts';
import type { HistoryRepository } from './history/history.repository.ts';
import type { ModerationRepository } from './moderation/moderation.repository.ts';
import type { NotificationRepository } from './notifications/notification.repository.ts';
import type { PlaylistRepository } from './playlists/playlist.repository.ts';
import type { RatingRepository } from './social/rating.repository.ts';
import type { SearchRepository } from './search/search.repository.ts';
import type { StudioRepository } from './studio/studio.repository.ts';
import type { UploadRepository } from './uploads/upload.repository.ts';
import type { VideoRepository } from './videos/video.repository.ts';
import type { VideoEvents } from './videos/video-events.ts';
import type { AnalyticsService } from './analytics/analytics.service.ts';
import type { AuthRepository } from './auth/auth.repository.ts';
import type { AuthService } from './auth/auth.service.ts';
import type { OidcLogin } from './auth/oidc-login.ts';
import type { CaptionService } from './captions/caption.service.ts';
import type { ChannelService } from './channels/channel.service.ts';
import type { DiscoveryService } from './discovery/discovery.service.ts';
import type { DownloadService } from './downloads/download.service.ts';
import type { FleetRegistry } from './fleet/fleet-registry.ts';
import type { HistoryService } from './history/history.service.ts';
import type { Infra } from './infra/infra.ts';
import type { ModerationService } from './moderation/moderation.service.ts';
import type { NotificationService } from './notifications/notification.service.ts';
import type { PageService } from './pages/page.service.ts';
import type { MediaUrls } from './playback/media-urls.ts';
import type { ViewCounter } from './playback/views.service.ts';
import type { PlaylistService } from './playlists/playlist.service.ts';
import type { SearchService } from './search/search.service.ts';
import type { SocialService } from './social/social.service.ts';
import type { StudioService } from './studio/studio.service.ts';
import type { UploadService } from './uploads/upload.service.ts';
import type { ThumbnailService } from './videos/thumbnail.service.ts';
import type { VideoService } from './videos/video.service.ts';
import type { LocalVideoCache } from './videos/video-cache.ts';
import type { ChunkedRepository } from './transcoding/chunked/chunked.repository.ts';
import type { EarlyStartRepository } from './transcoding/early/early-start.repository.ts';

/** Domain services, built once per process by the composition root (runtime.ts). */
export interface Services {
  auth: AuthService;
  videos: VideoService;
  /** This process's copies of ready videos in front of the shared cache; the fleet test and the API benchmark count its hits. */
  localVideos: LocalVideoCache;
  /** The notifications/ side of the video pipeline's events port (videos/video-events.ts). */
  videoEvents: VideoEvents;
  /** Media links: signed with the fleet's secret, which `Runtime.start()` hands over. */
  mediaUrls: MediaUrls;
  views: ViewCounter;
  channels: ChannelService;
  social: SocialService;
  playlists: PlaylistService;
  history: HistoryService;
  search: SearchService;
  discovery: DiscoveryService;
  notifications: NotificationService;
  moderation: ModerationService;
  captions: CaptionService;
  downloads: DownloadService;
  accounts: AccountService;
  /** Account email sending; `flush()` on shutdown waits for the messages still going out. */
  accountEmails: AccountEmails;
  uploads: UploadService;
  thumbnails: ThumbnailService;
  studio: StudioService;
  analytics: AnalyticsService;
  pages: PageService;
  /** Null unless AUTH_OIDC_CLIENT_ID configures sign-in through the external provider. */
  oidcLogin: OidcLogin | null;
  /** This process's entry in the fleet registry; `leave()` on shutdown. */
  fleet: FleetRegistry;
}

/** The repositories the services share, one of each per process (tests reach them to look under the services). */
export interface Repositories {
  accounts: AccountRepository;
  auth: AuthRepository;
  analytics: AnalyticsRepository;
  captions: CaptionRepository;
  channels: ChannelRepository;
  /** The chunked pipeline's plans and tasks. */
  chunked: ChunkedRepository;
  comments: CommentRepository;
  discovery: DiscoveryRepository;
  downloads: DownloadRepository;
  earlyStart: EarlyStartRepository;
  history: HistoryRepository;
  moderation: ModerationRepository;
  notifications: NotificationRepository;
  playlists: PlaylistRepository;
  ratings: RatingRepository;
  search: SearchRepository;
  studio: StudioRepository;
  uploads: UploadRepository;
  videos: VideoRepository;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    infra: Infra;
  }
}
