import { timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { App } from '../http/app-types.ts';
import { AppError, notFound } from '../infra/http/errors.ts';

const ReadyBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()) })),
});

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<{ ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: App): Promise<void> {
  const { db, cache, storage, metrics } = app.infra;

  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['ops'], summary: 'Database, cache and storage are reachable', response: { 200: ReadyBody, 503: ReadyBody } } },
    async (_request, reply) => {
      const [database, cacheCheck, storageCheck] = await Promise.all([
        check(() => sql`select 1`.execute(db)),
        check(() => cache.ping()),
        check(() => storage.ping()),
      ]);
      const checks = { database, cache: cacheCheck, storage: storageCheck };
      // The cache is reported but does not decide readiness: Tube serves without it (see docs/operations.md), and a
      // Redis outage must not make a load balancer take every API node out at once.
      const ready = database.ok && storageCheck.ok;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );

  const { config } = app.infra;
  // With METRICS_TOKEN set, scrapers send it as a bearer token; without it, production does not serve metrics at all.
  const metricsToken = config.METRICS_TOKEN ? Buffer.from(`Bearer ${config.METRICS_TOKEN}`) : null;
  const metricsOpen = !metricsToken && config.NODE_ENV !== 'production';
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!metricsOpen) {
      if (!metricsToken) throw notFound('Metrics are not served here; set METRICS_TOKEN to enable them');
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== metricsToken.length || !timingSafeEqual(given, metricsToken)) {
        throw new AppError(401, 'unauthorized', 'Metrics need the bearer token from METRICS_TOKEN', { 'www-authenticate': 'Bearer realm="metrics"' });
      }
    }
    // Queue depth and failures at a glance: cheap (one grouped count over an indexed column) and only on scrape.
    // With the database down the process metrics still answer (the dependency-error counter says why).
    await readDatabaseGauges(app).catch((error: unknown) => app.log.warn({ err: error }, 'metrics: database gauges unavailable'));
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

async function readDatabaseGauges(app: App): Promise<void> {
  const { db, metrics } = app.infra;
  const counts = await db
    .selectFrom('videos')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  metrics.videosByStatus.reset();
  for (const status of ['awaiting_upload', 'queued', 'processing', 'ready', 'failed'] as const) {
    metrics.videosByStatus.set({ status }, Number(counts.find((row) => row.status === status)?.n ?? 0));
  }
  // Jobs waiting to start (new or waiting for a retry), and how long the oldest has waited.
  const queues = await sql<{ name: string; waiting: number; oldest_seconds: number | null }>`
    SELECT name, count(*)::int AS waiting, extract(epoch FROM now() - min(created_on))::float8 AS oldest_seconds
    FROM pgboss.job WHERE state IN ('created', 'retry') GROUP BY name
  `.execute(db);
  metrics.queueDepth.reset();
  metrics.queueOldestSeconds.reset();
  for (const queue of queues.rows) {
    metrics.queueDepth.set({ queue: queue.name }, queue.waiting);
    metrics.queueOldestSeconds.set({ queue: queue.name }, Math.max(0, queue.oldest_seconds ?? 0));
  }
}
