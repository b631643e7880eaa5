import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Beacon, ChannelAnalytics, VideoAnalytics } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { account, type Account } from '../discovery/fixtures.ts';
import { aggregateBeacons, histogramMedian, ttffBucket } from '../../src/analytics/beacon-aggregate.ts';
import { AnalyticsRepository } from '../../src/analytics/analytics.repository.ts';

const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1';

let t: TestApp;
let creator: Account;
let stranger: Account;
let videoId: string;

beforeAll(async () => {
  t = await startTestApp({ BEACON_RATE_LIMIT: '5' });
  creator = await account(t, 'analyst');
  stranger = await account(t, 'nosy');
  videoId = await insertReadyVideo(t, creator.id, { title: 'Measured video' });
});
afterAll(async () => {
  await t?.close();
});

const session = (name: string) => `session-${name}-0123456789abcdef`;

function send(sessionId: string, events: unknown[], options: { ua?: string; video?: string; type?: string; raw?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/analytics/beacons',
    headers: { 'user-agent': options.ua ?? DESKTOP, 'content-type': options.type ?? 'application/json' },
    payload: options.raw ?? JSON.stringify({ videoId: options.video ?? videoId, sessionId, events }),
  });
}

async function analytics(who: Account = creator): Promise<VideoAnalytics> {
  const response = await t.app.inject({ url: `/api/v1/studio/videos/${videoId}/analytics?days=7`, headers: who.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<VideoAnalytics>();
}

describe('beacons', () => {
  it('add up to views, watch time, a retention curve, sources, devices and quality of experience', async () => {
    const heartbeat = (watchedSeconds: number, ranges: [number, number][], rendition = '240p'): Beacon => ({
      type: 'heartbeat',
      watchedSeconds,
      ranges,
      rendition,
    });
    expect((await send(session('a'), [{ type: 'start', source: 'search' }, { type: 'ttff', ms: 300 }, heartbeat(10, [[0, 10]])])).statusCode).toBe(202);
    // sendBeacon's text/plain body is accepted too.
    expect((await send(session('a'), [heartbeat(10, [[10, 20]], '144p')], { type: 'text/plain' })).statusCode).toBe(202);
    const phone = await send(
      session('b'),
      [
        { type: 'start', source: 'direct' },
        { type: 'ttff', ms: 900 },
        heartbeat(5, [[0, 5]]),
        { type: 'rebuffer', seconds: 1 },
        { type: 'error', code: 'media_error' },
      ],
      {
        ua: PHONE,
      },
    );
    expect(phone.statusCode, phone.body).toBe(202);
    // The same viewer starting again today is not a second view.
    expect((await send(session('c'), [{ type: 'start', source: 'browse' }])).statusCode).toBe(202);

    const report = await analytics();
    expect(report.totals).toMatchObject({ views: 2, watchSeconds: 25, averageViewSeconds: 12.5, rebufferRatio: 1 / 26, errorRate: 0.5 });
    expect(report.totals.medianTtffMs).toBe(ttffBucket(300));
    expect(report.daily).toHaveLength(7);
    expect(report.daily.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), views: 2, watchSeconds: 25 });
    expect(report.hourly).toHaveLength(48);
    expect(report.hourly.at(-1)).toMatchObject({ views: 2, watchSeconds: 25 });
    const shareAt = (second: number) => report.retention.find((point) => point.second === second)?.share;
    expect(report.retention).toHaveLength(60);
    expect([shareAt(0), shareAt(4), shareAt(5), shareAt(19), shareAt(20), shareAt(59)]).toEqual([1, 1, 0.5, 0.5, 0, 0]);
    expect(report.sources).toEqual([
      { name: 'direct', value: 1, share: 0.5 },
      { name: 'search', value: 1, share: 0.5 },
    ]);
    expect(report.devices.map((device) => device.name).sort()).toEqual(['desktop', 'mobile']);
    expect(report.renditions).toEqual([
      { name: '240p', value: 15, share: 0.6 },
      { name: '144p', value: 10, share: 0.4 },
    ]);
  });

  it('are rejected when malformed or for a video the viewer cannot see, leaving the figures alone', async () => {
    const before = await analytics();
    const privateVideo = await insertReadyVideo(t, creator.id, { visibility: 'private' });
    const bad: [string, Awaited<ReturnType<typeof send>>][] = [
      ['too much watch time', await send(session('bad1'), [{ type: 'heartbeat', watchedSeconds: 5000, ranges: [] }])],
      ['unknown event', await send(session('bad2'), [{ type: 'seek', to: 3 }])],
      ['no events', await send(session('bad3'), [])],
      ['short session id', await send('x', [{ type: 'start', source: 'direct' }])],
      ['not JSON', await send(session('bad4'), [], { type: 'text/plain', raw: 'views=1000000' })],
    ];
    for (const [name, response] of bad) {
      expect(response.statusCode, name).toBe(400);
      expect(response.json(), name).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect((await send(session('bad5'), [{ type: 'start', source: 'direct' }], { video: privateVideo })).statusCode).toBe(404);
    expect(await analytics()).toEqual(before);
  });

  it('flooding from one session is cut off without affecting other sessions', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await send(session('flood'), [{ type: 'heartbeat', watchedSeconds: 60, ranges: [] }])).statusCode);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
    const limited = await send(session('flood'), [{ type: 'heartbeat', watchedSeconds: 60, ranges: [] }]);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect((await send(session('calm'), [{ type: 'heartbeat', watchedSeconds: 1, ranges: [] }])).statusCode).toBe(202);
  });
});

describe('the analytics endpoints', () => {
  it('answer only the owner', async () => {
    expect((await t.app.inject({ url: `/api/v1/studio/videos/${videoId}/analytics`, headers: stranger.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/studio/channels/${creator.channelId}/analytics`, headers: stranger.headers })).statusCode).toBe(404);
  });

  it('give a channel overview with its top videos', async () => {
    const response = await t.app.inject({ url: `/api/v1/studio/channels/${creator.username}/analytics?days=28`, headers: creator.headers });
    expect(response.statusCode, response.body).toBe(200);
    const overview = response.json<ChannelAnalytics>();
    expect(overview.totals.views).toBe(2);
    expect(overview.daily).toHaveLength(28);
    expect(overview.topVideos[0]).toMatchObject({ id: videoId, title: 'Measured video', views: 2 });

    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: creator.headers,
      payload: { handle: 'quiet_channel', name: 'Quiet' },
    });
    const quiet = await t.app.inject({ url: '/api/v1/studio/channels/quiet_channel/analytics?days=7', headers: creator.headers });
    expect([empty.statusCode, quiet.statusCode]).toEqual([201, 200]);
    expect(quiet.json<ChannelAnalytics>()).toMatchObject({ totals: { views: 0, watchSeconds: 0, medianTtffMs: null }, topVideos: [], sources: [] });
    expect(quiet.json<ChannelAnalytics>().daily).toHaveLength(7);
  });
});

describe('retention', () => {
  it('drops old hourly and daily figures, yesterday’s viewer hashes and every salt but today’s', async () => {
    const { db } = t.infra;
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    await db
      .insertInto('video_stats_daily')
      .values([
        { video_id: videoId, day: daysAgo(500), views: 9 },
        { video_id: videoId, day: daysAgo(3), views: 4 },
      ])
      .execute();
    await db
      .insertInto('video_stats_hourly')
      .values({ video_id: videoId, hour: new Date(Date.now() - 72 * 3_600_000), views: 1 })
      .execute();
    await db
      .insertInto('analytics_viewers')
      .values({ video_id: videoId, day: daysAgo(1), viewer_hash: Buffer.alloc(32, 1) })
      .execute();
    await db
      .insertInto('analytics_salts')
      .values({ day: daysAgo(1), salt: Buffer.alloc(32, 2) })
      .execute();
    await new AnalyticsRepository(db).purge(400);
    const days = (await db.selectFrom('video_stats_daily').select('day').where('video_id', '=', videoId).execute()).map((row) => String(row.day));
    expect(days).toHaveLength(2);
    expect(
      (
        await db
          .selectFrom('video_stats_hourly')
          .selectAll()
          .where('hour', '<', new Date(Date.now() - 48 * 3_600_000))
          .execute()
      ).length,
    ).toBe(0);
    expect((await db.selectFrom('analytics_viewers').selectAll().where('day', '<', daysAgo(0)).execute()).length).toBe(0);
    expect((await db.selectFrom('analytics_salts').select('day').execute()).length).toBe(1);
  });
});

describe('trending', () => {
  it('ranks by this week’s per-day views, not lifetime counts', async () => {
    const owner = await account(t, 'trend_owner');
    const famous = await insertReadyVideo(t, owner.id, { title: 'Famous long ago', publishedAt: new Date(Date.now() - 3 * 86_400_000) });
    const rising = await insertReadyVideo(t, owner.id, { title: 'Rising now', publishedAt: new Date(Date.now() - 3 * 86_400_000) });
    await t.infra.db.updateTable('videos').set({ view_count: 100_000 }).where('id', '=', famous).execute();
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    await t.infra.db
      .insertInto('video_stats_daily')
      .values([
        { video_id: famous, day: day(10), views: 100_000 },
        { video_id: rising, day: day(0), views: 300 },
      ])
      .execute();
    await t.services.discovery.refreshTrending();
    const scores = await t.infra.db
      .selectFrom('trending_scores')
      .select(['video_id', 'score'])
      .where('video_id', 'in', [famous, rising])
      .orderBy('score', 'desc')
      .execute();
    expect(scores.map((row) => row.video_id)).toEqual([rising, famous]);
  });
});

describe('beacon arithmetic', () => {
  it('counts a retention bucket once when two heartbeats split it, and caps ranges at the end', () => {
    const totals = aggregateBeacons(
      [
        { type: 'heartbeat', watchedSeconds: 4.5, ranges: [[0.04, 4.5]] },
        {
          type: 'heartbeat',
          watchedSeconds: 4.5,
          ranges: [
            [4.5, 9],
            [100, 200],
          ],
        },
      ],
      10,
    );
    expect([...totals.retentionBuckets].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(totals.watchSeconds).toBe(9);
  });

  it('takes the median of a histogram', () => {
    expect(histogramMedian([])).toBeNull();
    expect(
      histogramMedian([
        { bound: 100, count: 1 },
        { bound: 500, count: 1 },
        { bound: 2000, count: 1 },
      ]),
    ).toBe(500);
  });
});
