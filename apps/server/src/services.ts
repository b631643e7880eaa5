import { AuthService } from './auth/auth.service.ts';
import type { Infra } from './infra/infra.ts';
import { VideoService } from './videos/video.service.ts';
import { ViewCounter } from './playback/views.service.ts';
import { ChannelService } from './channels/channel.service.ts';
import { SocialService } from './social/social.service.ts';
import { PlaylistService } from './playlists/playlist.service.ts';
import { HistoryService } from './history/history.service.ts';
import { TRANSCODE_QUEUE, transcodeQueueOptions } from './transcoding/transcode.queue.ts';
import { ListingCache } from './discovery/listing-cache.ts';
import { DiscoveryService } from './discovery/discovery.service.ts';
import { SearchService } from './search/search.service.ts';
import { NotificationService } from './notifications/notification.service.ts';
import { ModerationService } from './moderation/moderation.service.ts';

/** Domain services, built once per process from the shared infrastructure. */
export interface Services {
  auth: AuthService;
  videos: VideoService;
  views: ViewCounter;
  channels: ChannelService;
  social: SocialService;
  playlists: PlaylistService;
  history: HistoryService;
  search: SearchService;
  discovery: DiscoveryService;
  notifications: NotificationService;
  moderation: ModerationService;
}

export async function createServices(infra: Infra): Promise<Services> {
  const auth = new AuthService(infra.db, infra.cache, infra.config);
  await auth.init();
  // pg-boss 10 silently drops jobs sent to a queue that does not exist yet, so API processes create it too.
  await infra.queue.createQueue(TRANSCODE_QUEUE, { name: TRANSCODE_QUEUE, ...transcodeQueueOptions(infra.config) });
  const videos = new VideoService(infra);
  const listings = new ListingCache(infra.cache);
  return {
    auth,
    videos,
    views: new ViewCounter(infra), channels: new ChannelService(infra, videos.urls), social: new SocialService(infra, videos),
    playlists: new PlaylistService(infra, videos),
    history: new HistoryService(infra, videos),
    search: new SearchService(infra, videos.urls, listings),
    discovery: new DiscoveryService(infra, videos, listings),
    notifications: new NotificationService(infra.db, videos.urls),
    moderation: new ModerationService(infra.db, videos, listings),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    infra: Infra;
  }
}
