/**
 * Profiles one warm read path of the API: starts an `api`-role server (Redis or in-process cache) on a fresh
 * database with a few copies of a ready video row, warms its cache and puts load on one route for a while, so
 * the CPU profile of this process shows what a warm request costs.
 *
 *   node --import tsx bench/api-profile.ts [video|playback|ceiling] [redis|memory] [profile.cpuprofile]
 *
 * With a third argument, the CPU profile of the measured pass only (not start-up) is written there (open it in
 * Chrome DevTools or speedscope).
 *
 * The video rows are inserted directly (no upload, no transcode): the path under test only reads the row.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { createTestDatabase } from '../apps/server/test/helpers/database.ts';
import { registerUser } from '../apps/server/test/helpers/app.ts';
import { loadSettingsFromEnv, ownProcessCpu, runLoad, startBenchApi } from './support/kit.ts';

const [target = 'video', cache = 'redis', profileFile] = process.argv.slice(2);
const settings = loadSettingsFromEnv({ connections: 50, durationSeconds: 8, warmupSeconds: 2, rounds: 1 });

const database = await createTestDatabase();
const api = await startBenchApi({ database, cache: cache === 'memory' ? 'memory' : 'redis', alwaysMiss: false });
const bare = Fastify({ logger: false });
try {
  const user = await registerUser(api.app);
  const db = api.infra.db;
  const channel = user.user.channel.id;
  const inserted = await sql<{ id: string }>`
    INSERT INTO videos (user_id, channel_id, title, description, visibility, status, media_prefix, duration_seconds, published_at)
    SELECT ${user.user.id}, ${channel}, 'Profiled video', 'A description', 'public', 'ready', 'videos/x', 2, now() FROM generate_series(1, 50)
    RETURNING id`.execute(db);
  const ids = inserted.rows.map((row) => row.id);
  const suffix = target === 'playback' ? '/playback' : '';
  const paths = ids.map((id) => `/api/v1/videos/${id}${suffix}`);
  for (const each of paths) {
    const response = await fetch(`${api.baseUrl}${each}`);
    if (response.status !== 200) throw new Error(`${each}: ${response.status} ${await response.text()}`);
  }
  let baseUrl = api.baseUrl;
  let loadPaths = paths;
  if (target === 'ceiling') {
    const body = await (await fetch(`${api.baseUrl}${paths[0]}`)).json();
    bare.get('/static', async () => body);
    await bare.listen({ port: 0, host: '127.0.0.1' });
    const address = bare.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    baseUrl = `http://127.0.0.1:${address.port}`;
    loadPaths = ['/static'];
  }
  const session = profileFile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const result = await runLoad(target, { baseUrl, paths: loadPaths, randomPaths: true }, settings, ownProcessCpu, true);
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  const cpuUs = ((result.serverCpuSeconds ?? 0) / result.requests) * 1e6;
  process.stdout.write(
    `${target} (${cache}): ${result.requestsPerSecond.toFixed(0)} req/s, ${cpuUs.toFixed(1)} µs CPU/req, load ${loadavg()[0]!.toFixed(1)}\n`,
  );
} finally {
  await bare.close();
  await api.close();
  await database.drop();
}
