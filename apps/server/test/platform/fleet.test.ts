import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/**
 * Two API processes on one PostgreSQL database, one Redis (same key prefix) and one media directory, as a fleet
 * behind a load balancer runs them: whatever one node does, the other must see.
 */
let database: TestDatabase;
let mediaDir: string;
let a: TestApp;
let b: TestApp;
const fleetEnv = () => ({
  REDIS_KEY_PREFIX: `tube-fleet:${randomBytes(4).toString('hex')}:`,
  MEDIA_DIR: mediaDir,
  PUBLIC_URL: 'http://tube.test',
  LOGIN_RATE_LIMIT_ACCOUNT: '3',
});
let env: ReturnType<typeof fleetEnv>;

beforeAll(async () => {
  database = await createTestDatabase();
  mediaDir = await mkdtemp(path.join(tmpdir(), 'tube-fleet-media-'));
  env = fleetEnv();
  a = await startTestApp(env, 'api', { database });
  b = await startTestApp(env, 'api', { database });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.drop();
  await rm(mediaDir, { recursive: true, force: true });
});

describe('a fleet of API nodes', () => {
  it('registers every node and shares one media signing secret generated once in PostgreSQL', async () => {
    const nodes = await a.services.fleet.liveNodes();
    expect(nodes.map((n) => n.id).sort()).toEqual([a.services.fleet.nodeId, b.services.fleet.nodeId].sort());
    const secrets = await a.infra.db.selectFrom('fleet_secrets').select('name').execute();
    expect(secrets.map((s) => s.name)).toContain('media_signing_secret');

    const signed = a.services.mediaUrls.signedUrl({ prefix: 'videos/x/y', linkGeneration: 0 }, 'master.m3u8');
    const token = /\/media\/t\/([^/]+)\//.exec(signed.url)![1]!;
    expect(b.services.mediaUrls.verify(token, { prefix: 'videos/x/y', linkGeneration: 0 })).toBe('ok');
  });

  it('accepts on one node the access token issued by the other', async () => {
    const user = await registerUser(a.app);
    const me = await b.app.inject({ url: '/api/v1/users/me', headers: bearer(user.accessToken) });
    expect(me.statusCode).toBe(200);
  });

  it('drops a cached video on every node when it is edited on one', async () => {
    const owner = await registerUser(a.app);
    const id = await insertReadyVideo(a, owner.user.id, { title: 'Before' });
    // Warm both nodes' caches (and any in-process copies) with the old title.
    for (const node of [a, b]) expect((await node.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().title).toBe('Before');
    for (const node of [a, b]) expect((await node.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().title).toBe('Before');
    const edited = await a.app.inject({ method: 'PATCH', url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken), payload: { title: 'After' } });
    expect(edited.statusCode).toBe(200);
    await expect.poll(async () => (await b.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().title, { timeout: 2000, interval: 20 }).toBe('After');
    expect((await a.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().title).toBe('After');
  });

  it("serves warm reads from each node's local copy and drops it fleet-wide on a deletion from any process", async () => {
    const owner = await registerUser(a.app);
    const id = await insertReadyVideo(a, owner.user.id, { title: 'Local' });
    await b.app.inject({ url: `/api/v1/videos/${id}` });
    const hitsBefore = b.services.localVideos.hits;
    const warm = await b.app.inject({ url: `/api/v1/videos/${id}/playback` });
    expect(warm.statusCode).toBe(200);
    expect(b.services.localVideos.hits).toBe(hitsBefore + 1);
    // A change made behind the API's back (as a worker finishing a transcode does) followed by the cache deletion
    // it sends: the local copy on B must go although B made no call itself.
    await a.infra.db.updateTable('videos').set({ title: 'Changed by a worker' }).where('id', '=', id).execute();
    await a.infra.cache.del(`video:${id}`);
    await expect
      .poll(async () => (await b.app.inject({ url: `/api/v1/videos/${id}` })).json<Video>().title, { timeout: 2000, interval: 20 })
      .toBe('Changed by a worker');
  });

  it('counts failed logins against one account on every node together', async () => {
    const user = await registerUser(a.app);
    const attempt = (node: TestApp) =>
      node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: user.user.username, password: 'wrong password' } });
    expect((await attempt(a)).statusCode).toBe(401);
    expect((await attempt(b)).statusCode).toBe(401);
    expect((await attempt(a)).statusCode).toBe(401);
    expect((await attempt(b)).statusCode).toBe(429);
  });

  it('counts a viewer once across nodes and flushes each view once', async () => {
    const owner = await registerUser(a.app);
    const id = await insertReadyVideo(a, owner.user.id);
    // Anonymous viewers are told apart by their network (see the view counter), not by their User-Agent.
    const view = (node: TestApp, address: string) => node.app.inject({ method: 'POST', url: `/api/v1/videos/${id}/views`, remoteAddress: address });
    expect((await view(a, '10.1.2.3')).json().counted).toBe(true);
    expect((await view(b, '10.1.2.3')).json().counted).toBe(false);
    expect((await view(b, '10.1.2.4')).json().counted).toBe(true);
    const flushed = (await a.services.views.flush()) + (await b.services.views.flush());
    expect(flushed).toBe(2);
    const row = await a.infra.db.selectFrom('videos').select('view_count').where('id', '=', id).executeTakeFirstOrThrow();
    expect(Number(row.view_count)).toBe(2);
  });

  it('shows a notification caused on one node to a subscriber reading another', async () => {
    const creator = await registerUser(a.app);
    const fan = await registerUser(a.app);
    expect(
      (await a.app.inject({ method: 'PUT', url: `/api/v1/channels/${creator.user.channel.id}/subscription`, headers: bearer(fan.accessToken) })).statusCode,
    ).toBe(200);
    const id = await insertReadyVideo(a, creator.user.id, { visibility: 'unlisted' });
    const published = await b.app.inject({
      method: 'PATCH',
      url: `/api/v1/videos/${id}`,
      headers: bearer(creator.accessToken),
      payload: { visibility: 'public' },
    });
    expect(published.statusCode).toBe(200);
    const notifications = (await a.app.inject({ url: '/api/v1/notifications', headers: bearer(fan.accessToken) })).json<{
      items: { videoId?: string | null; video?: { id: string } | null }[];
    }>();
    expect(JSON.stringify(notifications.items)).toContain(id);
  });
});

describe('a node that does not match the fleet', () => {
  const refused = async (overrides: Record<string, string>) => {
    const started = startTestApp({ ...env, ...overrides }, 'api', { database });
    await expect(started).rejects.toThrow();
    return started.catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  };

  it('is refused at start when its PUBLIC_URL differs, naming the setting and both values', async () => {
    const message = await refused({ PUBLIC_URL: 'http://other.test' });
    expect(message).toContain('PUBLIC_URL is "http://other.test" here but "http://tube.test"');
  });

  it('is refused when it brings its own MEDIA_SIGNING_SECRET while the fleet uses the shared one', async () => {
    expect(await refused({ MEDIA_SIGNING_SECRET: 'a-secret-of-my-own-1234' })).toContain('MEDIA_SIGNING_SECRET');
  });

  it('is refused without Redis, or with another Redis key prefix', async () => {
    expect(await refused({ REDIS_URL: '' })).toContain('REDIS_URL');
    expect(await refused({ REDIS_KEY_PREFIX: 'tube-elsewhere:' })).toContain('REDIS_KEY_PREFIX');
  });

  it('is refused when its media directory is not the shared one', async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'tube-fleet-other-'));
    try {
      expect(await refused({ MEDIA_DIR: elsewhere })).toMatch(/storage \(MEDIA_DIR .*\) is not the one the running Tube processes use/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('ignores the row a crashed process of this machine left behind (a restart within 30 s must not be refused)', async () => {
    // A process that died without leaving: same host, a pid that no longer exists, a fresh heartbeat, other settings.
    await a.infra.db
      .insertInto('fleet_nodes')
      .values({
        id: crypto.randomUUID(),
        role: 'api',
        hostname: hostname(),
        pid: 2 ** 22 + 12345,
        settings: JSON.stringify({ PUBLIC_URL: 'http://crashed.test' }),
      })
      .execute();
    const restarted = await startTestApp(env, 'api', { database });
    await restarted.close();
    // …and so is a row with this very pid that this process did not write (a restarted container reuses pid 1).
    await a.infra.db
      .insertInto('fleet_nodes')
      .values({
        id: crypto.randomUUID(),
        role: 'api',
        hostname: hostname(),
        pid: process.pid,
        settings: JSON.stringify({ PUBLIC_URL: 'http://earlier-life.test' }),
      })
      .execute();
    const again = await startTestApp(env, 'api', { database });
    await again.close();
  });

  it('may start a worker with another PUBLIC_URL (workers issue no tokens or links), and leaves the registry on close', async () => {
    const worker = await startTestApp({ ...env, PUBLIC_URL: 'http://worker.internal' }, 'worker', { database });
    expect((await a.services.fleet.liveNodes()).map((n) => n.id)).toContain(worker.services.fleet.nodeId);
    await worker.close();
    expect((await a.services.fleet.liveNodes()).map((n) => n.id)).not.toContain(worker.services.fleet.nodeId);
  });
});
