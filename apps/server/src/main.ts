import pino from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createInfra } from './infra/infra.ts';
import { createServices } from './services.ts';
import { startReaper, transcodeJobs } from './transcoding/transcode.jobs.ts';
import { maintenanceJobs, startWorker } from './worker/worker.ts';
import { discoveryJobs } from './discovery/discovery.jobs.ts';

export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'ROLE'>) {
  return pino({ level: config.LOG_LEVEL, base: { role: config.ROLE, pid: process.pid } });
}

/** Starts the roles this process was asked for and returns a function that shuts everything down in order. */
export async function start(config: Config) {
  const logger = createLogger(config);
  const infra = await createInfra(config, logger);
  const services = await createServices(infra);
  const runsWorker = config.ROLE !== 'api';
  const stopWorker = runsWorker ? await startWorker(infra, [...maintenanceJobs(services), ...discoveryJobs(services), ...transcodeJobs(infra)]) : null;
  const stopReaper = runsWorker ? startReaper(infra) : null;
  const app = await buildApp({ infra, services, role: config.ROLE });
  if (config.ROLE !== 'worker') services.views.start();
  await app.listen({ host: config.HOST, port: config.PORT });
  logger.info({ url: config.publicUrl, role: config.ROLE, storage: infra.storage.driver, cache: infra.cache.driver }, 'Tube is running');

  let stopping: Promise<void> | null = null;
  return {
    app,
    infra,
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down');
        stopReaper?.();
        await app.close();
        await services.views.stop();
        await stopWorker?.();
        await infra.close();
      })();
      return stopping;
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  // Handlers go in before start-up, so a signal during start (e.g. while the embedded database boots) still
  // shuts down in order once start-up has finished.
  const starting = start(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const force = setTimeout(() => process.exit(1), 30_000).unref();
      starting
        .then((running) => running.stop())
        .then(
          () => {
            clearTimeout(force);
            process.exit(0);
          },
          (error: unknown) => {
            console.error(error);
            process.exit(1);
          },
        );
    });
  }
  try {
    await starting;
  } catch (error) {
    console.error('Tube failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
