import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Cache } from './cache/cache.ts';
import { MemoryCache } from './cache/memory-cache.ts';
import { RedisCache } from './cache/redis-cache.ts';
import { ResilientCache } from './cache/resilient-cache.ts';
import { createDb, type Db } from './db/database.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';
import { withStartupLock } from './db/startup-lock.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { startQueue } from './queue/queue.ts';
import { FsStorage } from './storage/fs-storage.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';
import { S3Storage } from './storage/s3-storage.ts';
import type { Storage } from './storage/storage.ts';
import type { ImageProcessor } from './images/images.ts';
import { SharpImages } from './images/sharp-images.ts';

/** The infrastructure every role shares, chosen once from config. */
export interface Infra {
  config: Config;
  logger: Logger;
  db: Db;
  /** Runs start-up work one process of the fleet at a time (see db/startup-lock.ts). */
  underStartupLock<T>(work: () => Promise<T>): Promise<T>;
  cache: Cache;
  storage: Storage;
  queue: PgBoss;
  metrics: Metrics;
  mail: Mailer;
  images: ImageProcessor;
  close(): Promise<void>;
}

export function createStorage(config: Config): Storage {
  if (config.storageDriver === 's3') {
    return new S3Storage({
      bucket: config.S3_BUCKET!,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    });
  }
  return new FsStorage(config.mediaDir);
}

/** Redis behind the fail-safe wrapper; start-up waits briefly for the connection but never depends on it. */
async function connectSharedCache(config: Config, logger: Logger, metrics: Metrics): Promise<Cache> {
  const redis = new RedisCache(config.REDIS_URL!, config.REDIS_KEY_PREFIX, { failFast: { commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS } });
  if (!(await redis.waitUntilReady(3000))) logger.warn('Redis is not reachable yet; starting without it (the cache falls back until it is)');
  return new ResilientCache(redis, {
    logger: logger.child({ component: 'cache' }),
    breakerMs: 1000,
    onError: () => metrics.dependencyErrors.inc({ dependency: 'redis' }),
  });
}

export async function createInfra(config: Config, logger: Logger): Promise<Infra> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      await closer().catch((error: unknown) => logger.error({ err: error }, 'error while shutting down'));
    }
    closers.length = 0;
  };
  const metrics = createMetrics();
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(config.dataDir, config.EMBEDDED_PG_PORT, logger, { pgHome: config.EMBEDDED_PG_HOME });
      closers.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const url = databaseUrl;
    const { db } = createDb(url, config.DATABASE_POOL_SIZE, {
      onConnectionError: (error) => {
        metrics.dependencyErrors.inc({ dependency: 'database' });
        logger.warn({ err: error }, 'a database connection was lost; the pool reconnects on next use');
      },
    });
    closers.push(() => db.destroy());
    const underStartupLock = <T>(work: () => Promise<T>) => withStartupLock(url, work);
    const applied = await underStartupLock(() => migrateToLatest(db));
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');

    const cache: Cache = config.REDIS_URL ? await connectSharedCache(config, logger, metrics) : new MemoryCache(config.CACHE_MAX_ENTRIES);
    closers.push(() => cache.close());
    logger.info({ driver: cache.driver }, 'cache ready');

    const storage = createStorage(config);
    logger.info({ driver: storage.driver }, 'storage ready');

    const queue = await underStartupLock(() => startQueue(url, logger, () => metrics.dependencyErrors.inc({ dependency: 'database' })));
    closers.push(() => queue.stop({ graceful: true, wait: true, timeout: 30_000 }));

    const mail = createMailer(config, logger);
    closers.push(() => mail.close());
    const images = new SharpImages({ maxPixels: config.IMAGE_MAX_PIXELS, timeoutSeconds: config.IMAGE_TIMEOUT_SECONDS });

    return { config, logger, db, underStartupLock, cache, storage, queue, metrics, mail, images, close };
  } catch (error) {
    await close();
    throw error;
  }
}
