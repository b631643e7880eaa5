import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Cache } from './cache/cache.ts';
import { MemoryCache } from './cache/memory-cache.ts';
import { RedisCache } from './cache/redis-cache.ts';
import { createDb, type Db } from './db/database.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { startQueue } from './queue/queue.ts';
import { FsStorage } from './storage/fs-storage.ts';
import { S3Storage } from './storage/s3-storage.ts';
import type { Storage } from './storage/storage.ts';

/** The infrastructure every role shares, chosen once from config. */
export interface Infra {
  config: Config;
  logger: Logger;
  db: Db;
  pool: pg.Pool;
  databaseUrl: string;
  cache: Cache;
  storage: Storage;
  queue: PgBoss;
  metrics: Metrics;
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

export async function createInfra(config: Config, logger: Logger): Promise<Infra> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) {
      await closer().catch((error: unknown) => logger.error({ err: error }, 'error while shutting down'));
    }
    closers.length = 0;
  };
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres(config.dataDir, config.EMBEDDED_PG_PORT, logger);
      closers.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const { db, pool } = createDb(databaseUrl, config.DATABASE_POOL_SIZE);
    closers.push(() => db.destroy());
    const applied = await migrateToLatest(db);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');

    const cache: Cache = config.REDIS_URL ? new RedisCache(config.REDIS_URL, config.REDIS_KEY_PREFIX) : new MemoryCache(config.CACHE_MAX_ENTRIES);
    closers.push(() => cache.close());
    logger.info({ driver: cache.driver }, 'cache ready');

    const storage = createStorage(config);
    logger.info({ driver: storage.driver }, 'storage ready');

    const queue = await startQueue(databaseUrl, logger);
    closers.push(() => queue.stop({ graceful: true, wait: true, timeout: 30_000 }));

    return { config, logger, db, pool, databaseUrl, cache, storage, queue, metrics: createMetrics(), close };
  } catch (error) {
    await close();
    throw error;
  }
}
