import type { Logger } from 'pino';
import pino from 'pino';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import type { App } from './http/app-types.ts';
import type { Cache } from './infra/cache/cache.ts';
import { createInfra, type Infra } from './infra/infra.ts';
import { AuthService } from './auth/auth.service.ts';
import { OidcLogin, OIDC_START_PATH } from './auth/oidc-login.ts';
import { AccountService } from './accounts/account.service.ts';
import { AccountEmails } from './accounts/account-emails.ts';
import { createAccountQueues } from './accounts/account.queues.ts';
import { accountJobs } from './accounts/account.jobs.ts';
import { AnalyticsService } from './analytics/analytics.service.ts';
import { analyticsJobs } from './analytics/analytics.jobs.ts';
import { CaptionService } from './captions/caption.service.ts';
import { ChannelService } from './channels/channel.service.ts';
import { DiscoveryService } from './discovery/discovery.service.ts';
import { discoveryJobs } from './discovery/discovery.jobs.ts';
import { DOWNLOAD_QUEUE, DownloadService, downloadQueueOptions } from './downloads/download.service.ts';
import { downloadJobs } from './downloads/download.jobs.ts';
import { FleetRegistry } from './fleet/fleet-registry.ts';
import { mediaSigningSecret } from './fleet/fleet-secrets.ts';
import { HistoryService } from './history/history.service.ts';
import { ModerationService } from './moderation/moderation.service.ts';
import { NotificationService } from './notifications/notification.service.ts';
import { VideoEventNotifier } from './notifications/video-events.ts';
import { PageService } from './pages/page.service.ts';
import { MediaUrls } from './playback/media-urls.ts';
import { ViewCounter } from './playback/views.service.ts';
import { PlaylistService } from './playlists/playlist.service.ts';
import { SearchService } from './search/search.service.ts';
import { SocialService } from './social/social.service.ts';
import { StudioService } from './studio/studio.service.ts';
import { EarlyStartService } from './transcoding/early/early-start.service.ts';
import { startReaper, transcodeJobs } from './transcoding/transcode.jobs.ts';
import { TranscodeService } from './transcoding/transcode.service.ts';
import { chunkedTranscodeJobs, ffmpegTools } from './transcoding/chunked/chunked.jobs.ts';
import { ChunkedRepository } from './transcoding/chunked/chunked.repository.ts';
import { ChunkedTranscodeService } from './transcoding/chunked/chunked.service.ts';
import type { MediaTools } from './transcoding/chunked/media-tools.ts';
import { EarlyStartRepository } from './transcoding/early/early-start.repository.ts';
import { resolveFfmpeg } from './infra/ffmpeg/ffmpeg.ts';
import type { Db } from './infra/db/database.ts';
import type { JobDefinition } from './infra/queue/job-definition.ts';
import { AccountRepository } from './accounts/account.repository.ts';
import { AuthRepository } from './auth/auth.repository.ts';
import { AnalyticsRepository } from './analytics/analytics.repository.ts';
import { CaptionRepository } from './captions/caption.repository.ts';
import { ChannelRepository } from './channels/channel.repository.ts';
import { CommentRepository } from './social/comment.repository.ts';
import { DiscoveryRepository } from './discovery/discovery.repository.ts';
import { DownloadRepository } from './downloads/download.repository.ts';
import { DownloadMaker } from './downloads/download.maker.ts';
import { HistoryRepository } from './history/history.repository.ts';
import { ModerationRepository } from './moderation/moderation.repository.ts';
import { NotificationRepository } from './notifications/notification.repository.ts';
import { PlaylistRepository } from './playlists/playlist.repository.ts';
import { RatingRepository } from './social/rating.repository.ts';
import { SearchRepository } from './search/search.repository.ts';
import { StudioRepository } from './studio/studio.repository.ts';
import { UploadRepository } from './uploads/upload.repository.ts';
import { VideoRepository } from './videos/video.repository.ts';
import { UploadService } from './uploads/upload.service.ts';
import { ListingCache } from './videos/listing-cache.ts';
import { LocalVideoCache } from './videos/video-cache.ts';
import { publishingJobs } from './videos/publishing.jobs.ts';
import { ThumbnailService } from './videos/thumbnail.service.ts';
import { TRANSCODE_QUEUE, TRANSCODE_TASK_QUEUES, transcodeQueueOptions } from './videos/video.jobs.ts';
import { PUBLISH_SCHEDULED_QUEUE, VideoService } from './videos/video.service.ts';
import type { Repositories, Services } from './services.ts';
import { maintenanceJobs, startWorker } from './worker/worker.ts';

export interface RuntimeOptions {
  /** Defaults to a pino logger at LOG_LEVEL. */
  logger?: Logger;
  /** Runs the job worker and the reaper; defaults to what ROLE asks for (every role but `api`). */
  worker?: boolean;
  /** Where `start()` listens; `false` leaves the app un-listened (tests drive it through `app.inject`). Defaults to HOST:PORT. */
  listen?: { host: string; port: number } | false;
  /** Wraps the cache before any service sees it (the API benchmark counts look-ups with it). */
  wrapCache?: (cache: Cache) => Cache;
}

/** One process of Tube: infrastructure, services and the HTTP app built, nothing started until `start()`. */
export interface Runtime {
  config: Config;
  infra: Infra;
  repositories: Repositories;
  services: Services;
  app: App;
  /** Start-up work under the fleet lock, media signing secret, fleet join, worker and reaper, view flushing, listen. */
  start(): Promise<void>;
  /** Shuts everything down in order; safe to call more than once and after a failed `start()`. */
  stop(): Promise<void>;
}

function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'ROLE'>) {
  return pino({ level: config.LOG_LEVEL, base: { role: config.ROLE, pid: process.pid } });
}

/** Every repository, built once per process over the shared database and handed to the services that use it. */
function createRepositories(db: Db): Repositories {
  return {
    accounts: new AccountRepository(db),
    auth: new AuthRepository(db),
    analytics: new AnalyticsRepository(db),
    captions: new CaptionRepository(db),
    channels: new ChannelRepository(db),
    chunked: new ChunkedRepository(db),
    comments: new CommentRepository(db),
    discovery: new DiscoveryRepository(db),
    downloads: new DownloadRepository(db),
    earlyStart: new EarlyStartRepository(db),
    history: new HistoryRepository(db),
    moderation: new ModerationRepository(db),
    notifications: new NotificationRepository(db),
    playlists: new PlaylistRepository(db),
    ratings: new RatingRepository(db),
    search: new SearchRepository(db),
    studio: new StudioRepository(db),
    uploads: new UploadRepository(db),
    videos: new VideoRepository(db),
  };
}

/** Every service, each given exactly the collaborators it uses; constructing them does no I/O. */
function createServices(infra: Infra, repos: Repositories): Services {
  const { config, db, cache, queue, storage, logger, images } = infra;
  const accountEmails = new AccountEmails(repos.accounts, infra.mail, config, logger);
  const auth = new AuthService(repos.auth, db, cache, config, accountEmails);
  const mediaUrls = new MediaUrls(config);
  const listings = new ListingCache(cache);
  const localVideos = new LocalVideoCache(config.CACHE_LOCAL_SECONDS, Math.min(config.CACHE_MAX_ENTRIES, 10_000));
  const videoEvents = new VideoEventNotifier(repos.notifications, queue, logger);
  const videos = new VideoService(repos.videos, localVideos, mediaUrls, videoEvents, listings, db, cache, queue, storage, config);
  const earlyStart = new EarlyStartService(repos.earlyStart, repos.chunked, db, cache, queue, storage, logger, config);
  const channels = new ChannelService(repos.channels, mediaUrls, storage, images, config);
  const playlists = new PlaylistService(repos.playlists, videos);
  const oidcLogin = config.AUTH_OIDC_CLIENT_ID ? new OidcLogin(config, cache) : null;
  const externalProvider = oidcLogin ? { name: config.AUTH_OIDC_PROVIDER_NAME, startUrl: OIDC_START_PATH } : null;
  return {
    auth,
    videos,
    localVideos,
    videoEvents,
    mediaUrls,
    views: new ViewCounter(db, cache, logger, config),
    channels,
    social: new SocialService(videos, repos.videos, repos.ratings, repos.comments, mediaUrls, queue, logger),
    playlists,
    history: new HistoryService(repos.history, videos),
    search: new SearchService(repos.search, mediaUrls, listings),
    discovery: new DiscoveryService(repos.discovery, videos, mediaUrls, listings, cache),
    notifications: new NotificationService(repos.notifications, mediaUrls),
    moderation: new ModerationService(repos.moderation, videos, listings),
    captions: new CaptionService(repos.captions, videos, repos.videos, mediaUrls, db, storage, config),
    downloads: new DownloadService(repos.downloads, videos, mediaUrls, queue),
    accounts: new AccountService(repos.accounts, auth, videos, externalProvider, accountEmails, db, cache, storage, queue, infra.mail, config),
    accountEmails,
    uploads: new UploadService(videos, repos.videos, repos.uploads, db, queue, storage, infra.metrics, logger, config, earlyStart),
    thumbnails: new ThumbnailService(videos, repos.videos, storage, images, config),
    studio: new StudioService(repos.studio, videos, playlists, mediaUrls),
    analytics: new AnalyticsService(repos.analytics, videos, repos.channels, cache, config),
    pages: new PageService(videos, channels, playlists),
    oidcLogin,
    fleet: new FleetRegistry(db, storage, config, logger),
  };
}

/**
 * The chunked pipeline's service (TRANSCODE_MODE=chunked), with an early-start service of its own that probes
 * with the same tools. Exported for the tests that plan without a worker.
 */
export function createChunkedTranscodeService(
  infra: Infra,
  repos: Repositories,
  services: Pick<Services, 'videoEvents'>,
  tools: MediaTools = ffmpegTools(resolveFfmpeg(infra.config, infra.logger)),
  workerName?: string,
): ChunkedTranscodeService {
  const { config, db, cache, queue, storage, logger } = infra;
  const early = new EarlyStartService(repos.earlyStart, repos.chunked, db, cache, queue, storage, logger, config, tools);
  const ports = { db, cache, queue, storage, config };
  return new ChunkedTranscodeService(repos.chunked, repos.videos, services.videoEvents, early, ports, logger, tools, workerName);
}

/** The worker's job list; built only in processes that run the worker (it resolves the ffmpeg binaries). */
function workerJobs(infra: Infra, repos: Repositories, services: Services): JobDefinition[] {
  const { config, logger } = infra;
  const transcoding =
    config.TRANSCODE_MODE === 'chunked'
      ? chunkedTranscodeJobs(createChunkedTranscodeService(infra, repos, services), config)
      : transcodeJobs(
          new TranscodeService(
            repos.videos,
            services.videoEvents,
            resolveFfmpeg(config, logger),
            infra.db,
            infra.cache,
            infra.queue,
            infra.storage,
            infra.metrics,
            logger,
            config,
          ),
          config,
        );
  return [
    ...maintenanceJobs(services.auth),
    ...discoveryJobs(services.discovery),
    ...publishingJobs(services.videos),
    ...analyticsJobs(repos.analytics, config),
    ...transcoding,
    ...accountJobs(services.accounts),
    ...downloadJobs(new DownloadMaker(repos.downloads, infra.storage, logger, config, resolveFfmpeg(config))),
  ];
}

/**
 * The one composition root, used by `main.ts`, the test helpers and the benchmarks. Building connects the
 * infrastructure (embedded PostgreSQL, migrations, pools) but starts no work of the process's own.
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config);
  const built = await createInfra(config, logger);
  const infra: Infra = options.wrapCache ? { ...built, cache: options.wrapCache(built.cache) } : built;
  const repositories = createRepositories(infra.db);
  let services: Services;
  let app: App;
  try {
    services = createServices(infra, repositories);
    app = await buildApp({ infra, services, role: config.ROLE });
  } catch (error) {
    await infra.close();
    throw error;
  }
  const runsWorker = options.worker ?? config.ROLE !== 'api';
  const servesApi = config.ROLE !== 'worker';
  const listen = options.listen ?? { host: config.HOST, port: config.PORT };

  let stopWorker: (() => Promise<void>) | null = null;
  let stopReaper: (() => void) | null = null;
  let stopSweeping: (() => Promise<void>) | null = null;
  let joinedFleet = false;
  let stopping: Promise<void> | null = null;

  const startupWork = async () => {
    // Start-up work every process repeats runs under one lock: concurrent createQueue calls deadlock.
    const missingAdmins = await infra.underStartupLock(async () => {
      const missing = await services.auth.init();
      // pg-boss 10 silently drops jobs sent to a queue that does not exist yet, so API processes create them too.
      await infra.queue.createQueue(TRANSCODE_QUEUE, { name: TRANSCODE_QUEUE, ...transcodeQueueOptions(config) });
      // Chunk tasks are sent by API processes too (planning during an upload).
      for (const queue of TRANSCODE_TASK_QUEUES) await infra.queue.createQueue(queue, { name: queue, ...transcodeQueueOptions(config) });
      await infra.queue.createQueue(PUBLISH_SCHEDULED_QUEUE, { name: PUBLISH_SCHEDULED_QUEUE });
      await createAccountQueues(infra.queue);
      await infra.queue.createQueue(DOWNLOAD_QUEUE, { name: DOWNLOAD_QUEUE, ...downloadQueueOptions });
      return missing;
    });
    if (missingAdmins.length > 0)
      logger.warn(
        { missing: missingAdmins },
        'ADMIN_USERNAMES names accounts that do not exist yet; they become administrators at the first start after they register',
      );
    const signingSecret = await mediaSigningSecret(infra.db, config.MEDIA_SIGNING_SECRET);
    services.mediaUrls.useSecret(signingSecret);
    await services.fleet.join(signingSecret);
    joinedFleet = true;
  };

  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down');
      stopReaper?.();
      await app.close();
      await stopSweeping?.();
      await services.views.stop();
      await services.accountEmails.flush();
      await stopWorker?.();
      if (joinedFleet) await services.fleet.leave();
      await infra.close();
    })();
    return stopping;
  };

  return {
    config,
    infra,
    repositories,
    services,
    app,
    stop,
    async start() {
      try {
        await startupWork();
        if (runsWorker) {
          stopWorker = await startWorker(infra, workerJobs(infra, repositories, services));
          stopReaper = startReaper(repositories.videos, repositories.chunked, infra.db, infra.queue, infra.metrics, logger, config);
        }
        if (servesApi) {
          stopSweeping = services.uploads.startSweeping();
          services.views.start();
        }
        await app.ready();
        if (listen) {
          await app.listen(listen);
          logger.info({ url: config.publicUrl, role: config.ROLE, storage: infra.storage.driver, cache: infra.cache.driver }, 'Tube is running');
        }
      } catch (error) {
        // A process refused at start (e.g. by the fleet checks) must not leave its connections open.
        await stop();
        throw error;
      }
    },
  };
}
