import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CreatedReport,
  HomeFeed,
  ModerationState,
  RelatedVideos,
  ReportPage,
  ResolvedReports,
  TrendingPage,
  VideoPage,
  VideoSearchResults,
} from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { account, adminAccount, insertVideo, json, type Account } from './fixtures.ts';

let t: TestApp;
let owner: Account;
let reporter: Account;
let secondReporter: Account;
let admin: Account;
let videoId: string;
let neighbourId: string;
let privateId: string;
let commentId: string;

function post(url: string, who: Account | null, payload?: object) {
  return t.app.inject({ method: 'POST', url, ...(who ? { headers: who.headers } : {}), ...(payload ? { payload } : {}) });
}

const report = (who: Account, body: object) => post('/api/v1/reports', who, body);
const reportVideo = (who: Account, reason = 'spam', id = videoId) =>
  report(who, { targetType: 'video', targetId: id, reason, details: '  buy followers at … ' });

async function openReports(query = ''): Promise<ReportPage> {
  const response = await t.app.inject({ url: `/api/v1/admin/reports${query}`, headers: admin.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<ReportPage>();
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await account(t, 'owner');
  reporter = await account(t, 'reporter');
  secondReporter = await account(t, 'second_reporter');
  admin = await adminAccount(t);
  videoId = await insertVideo(t, owner, { title: 'Miracle weight loss secrets', tags: ['health'], views: 500 });
  neighbourId = await insertVideo(t, owner, { title: 'Weight training for beginners', tags: ['health'] });
  privateId = await insertVideo(t, owner, { title: 'Private draft', visibility: 'private' });
  const comment = await t.infra.db
    .insertInto('comments')
    .values({ video_id: neighbourId, user_id: owner.id, body: 'Click my profile for free money' })
    .returning('id')
    .executeTakeFirstOrThrow();
  commentId = comment.id;
  await t.services.discovery.refreshTrending();
});
afterAll(async () => {
  await t?.close();
});

describe('reporting', () => {
  it('needs a signed-in user', async () => {
    expect((await post('/api/v1/reports', null, { targetType: 'video', targetId: videoId, reason: 'spam' })).statusCode).toBe(401);
  });

  it('files one open report per user and target', async () => {
    const first = await reportVideo(reporter);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json<CreatedReport>()).toEqual({
      id: expect.any(String),
      targetType: 'video',
      targetId: videoId,
      reason: 'spam',
      details: 'buy followers at …',
      status: 'open',
      createdAt: expect.any(String),
    });
    const again = await reportVideo(reporter, 'abuse');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'already_reported', message: expect.any(String) } });
    expect((await reportVideo(secondReporter, 'copyright')).statusCode).toBe(201);
    expect((await report(reporter, { targetType: 'comment', targetId: commentId, reason: 'spam' })).statusCode).toBe(201);
  });

  it('refuses targets the reporter cannot see, and bad input', async () => {
    expect((await reportVideo(reporter, 'spam', privateId)).statusCode).toBe(404);
    const onPrivateVideo = await t.infra.db
      .insertInto('comments')
      .values({ video_id: privateId, user_id: owner.id, body: 'note to self' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const hiddenComment = await report(reporter, { targetType: 'comment', targetId: onPrivateVideo.id, reason: 'spam' });
    expect(hiddenComment.statusCode).toBe(404);
    expect(hiddenComment.json()).toEqual({ error: { code: 'not_found', message: 'Comment not found' } });
    expect((await reportVideo(reporter, 'spam', '00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
    expect((await report(reporter, { targetType: 'comment', targetId: '00000000-0000-0000-0000-000000000000', reason: 'spam' })).statusCode).toBe(404);
    expect((await report(reporter, { targetType: 'video', targetId: videoId, reason: 'boring' })).statusCode).toBe(400);
    expect((await report(reporter, { targetType: 'channel', targetId: videoId, reason: 'spam' })).statusCode).toBe(400);
    expect((await report(reporter, { targetType: 'video', targetId: videoId, reason: 'other', extra: 1 })).statusCode).toBe(400);
  });
});

describe('admin endpoints', () => {
  const adminCalls = (): [string, string, object | undefined][] => [
    ['GET', '/api/v1/admin/reports', undefined],
    ['POST', '/api/v1/admin/reports/00000000-0000-0000-0000-000000000000/resolve', { action: 'dismiss' }],
    ['POST', `/api/v1/admin/videos/${videoId}/hide`, {}],
    ['POST', `/api/v1/admin/videos/${videoId}/unhide`, undefined],
    ['POST', `/api/v1/admin/comments/${commentId}/hide`, {}],
    ['POST', `/api/v1/admin/comments/${commentId}/unhide`, undefined],
  ];

  it('are refused to anonymous users (401) and non-admins (403), changing nothing', async () => {
    for (const [method, url, payload] of adminCalls()) {
      expect((await t.app.inject({ method: method as 'GET' | 'POST', url, ...(payload ? { payload } : {}) })).statusCode, url).toBe(401);
      for (const who of [reporter, owner]) {
        const response = await t.app.inject({ method: method as 'GET' | 'POST', url, headers: who.headers, ...(payload ? { payload } : {}) });
        expect(response.statusCode, `${who.username} ${url}`).toBe(403);
        expect(response.json()).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
      }
    }
    const video = await t.infra.db.selectFrom('videos').select('hidden_at').where('id', '=', videoId).executeTakeFirstOrThrow();
    expect(video.hidden_at).toBeNull();
  });

  it('list open reports newest first, with the target as it is now and how many reports it has', async () => {
    const page = await openReports();
    expect(page.items.map((item) => [item.targetType, item.reason, item.reporter.username])).toEqual([
      ['comment', 'spam', 'reporter'],
      ['video', 'copyright', 'second_reporter'],
      ['video', 'spam', 'reporter'],
    ]);
    const [commentReport, videoReport] = page.items;
    expect(videoReport).toMatchObject({
      status: 'open',
      resolution: null,
      openReportsOnTarget: 2,
      target: {
        type: 'video',
        id: videoId,
        title: 'Miracle weight loss secrets',
        channel: { id: owner.channelId, handle: 'owner' },
        visibility: 'public',
        hiddenAt: null,
      },
    });
    expect(commentReport).toMatchObject({
      openReportsOnTarget: 1,
      target: {
        type: 'comment',
        id: commentId,
        videoId: neighbourId,
        body: 'Click my profile for free money',
        author: { id: owner.id, username: 'owner' },
        hiddenAt: null,
      },
    });
    const paged = await openReports('?limit=2');
    const rest = await openReports(`?limit=2&cursor=${paged.nextCursor!}`);
    expect([...paged.items, ...rest.items].map((item) => item.id)).toEqual(page.items.map((item) => item.id));
    expect((await openReports('?targetType=comment')).items).toHaveLength(1);
    expect((await openReports('?status=resolved')).items).toEqual([]);
  });
});

describe('hiding a video', () => {
  const listed = async (who: Account | null) => {
    const headers = who ? who.headers : {};
    const search = await json<VideoSearchResults>(t, '/api/v1/search?q=weight', headers);
    const trending = await json<TrendingPage>(t, '/api/v1/feed/trending', headers);
    const home = await json<HomeFeed>(t, '/api/v1/feed/home', headers);
    const related = await json<RelatedVideos>(t, `/api/v1/videos/${neighbourId}/related`, headers);
    const latest = await json<VideoPage>(t, '/api/v1/videos', headers);
    const suggestions = await json<{ suggestions: string[] }>(t, '/api/v1/search/suggestions?q=miracle', headers);
    return {
      search: search.items.some((video) => video.id === videoId),
      trending: trending.items.some((video) => video.id === videoId),
      home: [...home.trending, ...home.newest].some((video) => video.id === videoId),
      related: related.items.some((video) => video.id === videoId),
      latest: latest.items.some((video) => video.id === videoId),
      suggestions: suggestions.suggestions.includes('Miracle weight loss secrets'),
    };
  };
  const everywhere = { search: true, trending: true, home: true, related: true, latest: true, suggestions: true };
  const nowhere = { search: false, trending: false, home: false, related: false, latest: false, suggestions: false };

  it('by resolving a report removes it from every listing at once, for everyone', async () => {
    for (const who of [null, reporter, owner, admin]) expect(await listed(who)).toEqual(everywhere);

    const [, , spamReport] = (await openReports()).items;
    const resolved = await post(`/api/v1/admin/reports/${spamReport!.id}/resolve`, admin, { action: 'hide' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const outcome = resolved.json<ResolvedReports>();
    expect(outcome.resolvedCount).toBe(2);
    expect(outcome.report).toMatchObject({ status: 'resolved', resolution: 'hidden', openReportsOnTarget: 0, target: { hiddenAt: expect.any(String) } });

    // No waiting for cache expiry: hiding drops cached listings and the cached video.
    for (const who of [null, reporter, owner, admin]) expect(await listed(who)).toEqual(nowhere);
  });

  it('keeps it visible to its owner and admins only', async () => {
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}`, headers: reporter.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}`, headers: owner.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}`, headers: admin.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}/related` })).statusCode).toBe(404);
  });

  it('resolved every report on it, which now show under resolved', async () => {
    const resolved = await openReports('?status=resolved');
    expect(resolved.items.map((item) => [item.reason, item.resolution])).toEqual([
      ['copyright', 'hidden'],
      ['spam', 'hidden'],
    ]);
    expect((await openReports()).items.map((item) => item.targetType)).toEqual(['comment']);
    const again = await post(`/api/v1/admin/reports/${resolved.items[0]!.id}/resolve`, admin, { action: 'dismiss' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'already_resolved', message: expect.any(String) } });
    // With the earlier report resolved, the same user may report again.
    expect((await reportVideo(reporter, 'spam', neighbourId)).statusCode).toBe(201);
  });

  it('is undone by unhide, and can be done directly with a reason', async () => {
    const unhidden = await post(`/api/v1/admin/videos/${videoId}/unhide`, admin);
    expect(unhidden.statusCode).toBe(200);
    expect(unhidden.json<ModerationState>()).toEqual({ targetType: 'video', targetId: videoId, hidden: false, hiddenAt: null, reason: null });
    expect(await listed(null)).toEqual(everywhere);

    const hidden = await post(`/api/v1/admin/videos/${videoId}/hide`, admin, { reason: 'Misleading medical claims' });
    expect(hidden.json<ModerationState>()).toMatchObject({ hidden: true, hiddenAt: expect.any(String), reason: 'Misleading medical claims' });
    expect(await listed(reporter)).toEqual(nowhere);
    const withoutBody = await post(`/api/v1/admin/videos/${videoId}/unhide`, admin);
    expect(withoutBody.json<ModerationState>().hidden).toBe(false);
    expect((await post(`/api/v1/admin/videos/${videoId}/hide`, admin)).json<ModerationState>()).toMatchObject({ hidden: true, reason: null });
    await post(`/api/v1/admin/videos/${videoId}/unhide`, admin);
    expect((await post('/api/v1/admin/videos/00000000-0000-0000-0000-000000000000/hide', admin, {})).statusCode).toBe(404);
  });
});

describe('comments', () => {
  const commentIds = async () => {
    const response = await t.app.inject({ url: `/api/v1/videos/${neighbourId}/comments?sort=newest`, headers: reporter.headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: { id: string }[] }>().items.map((comment) => comment.id);
  };

  it('dismissing a report keeps the comment', async () => {
    const [commentReport] = (await openReports('?targetType=comment')).items;
    const dismissed = await post(`/api/v1/admin/reports/${commentReport!.id}/resolve`, admin, { action: 'dismiss' });
    expect(dismissed.json<ResolvedReports>()).toMatchObject({ resolvedCount: 1, report: { resolution: 'dismissed', target: { hiddenAt: null } } });
    expect(await commentIds()).toContain(commentId);
  });

  it('hide and unhide take it out of the comments and bring it back', async () => {
    const hidden = await post(`/api/v1/admin/comments/${commentId}/hide`, admin, {});
    expect(hidden.json<ModerationState>()).toMatchObject({ targetType: 'comment', targetId: commentId, hidden: true, reason: null });
    expect(await commentIds()).not.toContain(commentId);
    expect((await report(secondReporter, { targetType: 'comment', targetId: commentId, reason: 'spam' })).statusCode).toBe(404);
    await post(`/api/v1/admin/comments/${commentId}/unhide`, admin);
    expect(await commentIds()).toContain(commentId);
  });
});
