/**
 * Brings the database up to date and exits: Tube's migrations, pg-boss's schema and the transcode queue. What a
 * Kubernetes migrations Job (or a deploy step) runs before new API and worker processes start. Processes also
 * migrate at start (under a lock), so running this is an ordering choice, not a requirement.
 *
 *   DATABASE_URL=postgres://… node --import tsx apps/server/src/cli/migrate.ts
 */
import pino from 'pino';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { createDb } from '../infra/db/database.ts';
import { migrateToLatest } from '../infra/db/migrate.ts';
import { startQueue } from '../infra/queue/queue.ts';
import { TRANSCODE_QUEUE, transcodeQueueOptions } from '../videos/video.jobs.ts';

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 78;
    }
    throw error;
  }
  if (!config.DATABASE_URL) {
    console.error('Invalid configuration: DATABASE_URL is required to run migrations (the embedded database migrates itself at start)');
    return 78;
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { role: 'migrate', pid: process.pid } });
  const { db } = createDb(config.DATABASE_URL, 2);
  try {
    const applied = await migrateToLatest(db);
    const queue = await startQueue(config.DATABASE_URL, logger);
    try {
      await queue.createQueue(TRANSCODE_QUEUE, { name: TRANSCODE_QUEUE, ...transcodeQueueOptions(config) });
    } finally {
      await queue.stop({ graceful: false, wait: true });
    }
    logger.info({ migrations: applied }, applied.length ? 'database migrated' : 'database already up to date');
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'migration failed');
    return 1;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main();
