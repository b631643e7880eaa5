import { AuthService } from './auth/auth.service.ts';
import type { Infra } from './infra/infra.ts';
import { VideoService } from './videos/video.service.ts';
import { ViewCounter } from './playback/views.service.ts';
import { ChannelService } from './channels/channel.service.ts';
import { SocialService } from './social/social.service.ts';
import { PlaylistService } from './playlists/playlist.service.ts';
import { HistoryService } from './history/history.service.ts';
import { TRANSCODE_QUEUE, transcodeQueueOptions } from './transcoding/transcode.queue.ts';

/** Domain services, built once per process from the shared infrastructure. */
export interface Services {
  auth: AuthService;
  videos: VideoService;
  views: ViewCounter;
  channels: ChannelService;
  social: SocialService;
  playlists: PlaylistService;
  history: HistoryService;
}

export async function createServices(infra: Infra): Promise<Services> {
  const auth = new AuthService(infra.db, infra.cache, infra.config);
  await auth.init();
  // pg-boss 10 silently drops jobs sent to a queue that does not exist yet, so API processes create it too.
  await infra.queue.createQueue(TRANSCODE_QUEUE, { name: TRANSCODE_QUEUE, ...transcodeQueueOptions(infra.config) });
  const videos = new VideoService(infra);
  return {
    auth,
    videos,
    views: new ViewCounter(infra), channels: new ChannelService(infra), social: new SocialService(infra, videos),
    playlists: new PlaylistService(infra, videos),
    history: new HistoryService(infra, videos),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    infra: Infra;
  }
}
