import { ConfigError, loadConfig, type Config } from './config.ts';
import { isDatabaseUnavailable } from './infra/failure-reasons.ts';
import { createRuntime } from './runtime.ts';

/** Builds and starts the roles this process was asked for; the runtime's `stop()` shuts them down in order. */
export async function start(config: Config) {
  const runtime = await createRuntime(config);
  await runtime.start();
  return runtime;
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
  // A dependency dropping out (a connection cut mid-query) must not end the process: log it and carry on, the
  // pools reconnect. Any other unhandled rejection is a bug and still ends the process, as Node does by default.
  process.on('unhandledRejection', (reason) => {
    if (isDatabaseUnavailable(reason)) {
      console.error('database unavailable in background work:', reason instanceof Error ? reason.message : reason);
      return;
    }
    console.error('unhandled rejection:', reason);
    process.exit(1);
  });
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
