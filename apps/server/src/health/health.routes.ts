import { sql } from 'kysely';
import { Type } from 'typebox';
import type { App } from '../http/app-types.ts';

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

  app.get('/readyz', { schema: { tags: ['ops'], summary: 'Database, cache and storage are reachable', response: { 200: ReadyBody, 503: ReadyBody } } }, async (_request, reply) => {
    const [database, cacheCheck, storageCheck] = await Promise.all([
      check(() => sql`select 1`.execute(db)),
      check(() => cache.ping()),
      check(() => storage.ping()),
    ]);
    const checks = { database, cache: cacheCheck, storage: storageCheck };
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    // Queue depth and failures at a glance: cheap (one grouped count over an indexed column) and only on scrape.
    const counts = await db.selectFrom('videos').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    metrics.videosByStatus.reset();
    for (const status of ['awaiting_upload', 'queued', 'processing', 'ready', 'failed'] as const) {
      metrics.videosByStatus.set({ status }, Number(counts.find((row) => row.status === status)?.n ?? 0));
    }
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
