import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comment, CommentPage, RatingState, Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
let viewers: Awaited<ReturnType<typeof registerUser>>[];
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerUser(t.app, 'creator');
  viewers = await Promise.all(Array.from({ length: 8 }, () => registerUser(t.app)));
});
afterAll(() => t?.close());

const rate = (videoId: string, token: string, rating: string) => t.app.inject({ method: 'PUT', url: `/api/v1/videos/${videoId}/rating`, headers: bearer(token), payload: { rating } });

describe('likes and dislikes', () => {
  it('one vote per user, changeable and removable, with exact counts under concurrency', async () => {
    const videoId = await insertReadyVideo(t, owner.user.id);
    // Every viewer fires like, like, dislike, like at once; each ends with exactly one vote.
    await Promise.all(viewers.flatMap((v) => ['like', 'like', 'dislike', 'like'].map((rating) => rate(videoId, v.accessToken, rating))));
    const votes = await t.infra.db.selectFrom('video_votes').select(['value']).where('video_id', '=', videoId).execute();
    expect(votes).toHaveLength(8);
    const likes = votes.filter((v) => v.value === 1).length;
    const state = (await t.app.inject({ url: `/api/v1/videos/${videoId}/rating` })).json<RatingState>();
    expect(state).toEqual({ likeCount: likes, dislikeCount: 8 - likes, myRating: 'none' });

    const first = viewers[0]!;
    expect((await rate(videoId, first.accessToken, 'dislike')).json<RatingState>().myRating).toBe('dislike');
    expect((await rate(videoId, first.accessToken, 'none')).json<RatingState>().myRating).toBe('none');
    const after = (await t.app.inject({ url: `/api/v1/videos/${videoId}/rating`, headers: bearer(first.accessToken) })).json<RatingState>();
    expect(after.likeCount + after.dislikeCount).toBe(7);
    const video = (await t.app.inject({ url: `/api/v1/videos/${videoId}` })).json<Video>();
    expect(video.likeCount).toBe(after.likeCount);
  });

  it('lists my liked videos, never a video I can no longer see', async () => {
    const fan = viewers[1]!;
    const kept = await insertReadyVideo(t, owner.user.id, { title: 'Keep' });
    const privated = await insertReadyVideo(t, owner.user.id, { title: 'Goes private' });
    await rate(kept, fan.accessToken, 'like');
    await rate(privated, fan.accessToken, 'like');
    await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${privated}`, headers: bearer(owner.accessToken), payload: { visibility: 'private' } });
    const liked = (await t.app.inject({ url: '/api/v1/users/me/liked-videos', headers: bearer(fan.accessToken) })).json<{ items: Video[] }>();
    expect(liked.items.map((v) => v.title)).toContain('Keep');
    expect(liked.items.map((v) => v.title)).not.toContain('Goes private');
  });

  it('cannot rate a private video of someone else, or without signing in', async () => {
    const secret = await insertReadyVideo(t, owner.user.id, { visibility: 'private' });
    expect((await rate(secret, viewers[2]!.accessToken, 'like')).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/videos/${secret}/rating`, payload: { rating: 'like' } })).statusCode).toBe(401);
  });
});

describe('comments', () => {
  let videoId: string;
  beforeAll(async () => {
    videoId = await insertReadyVideo(t, owner.user.id, { title: 'Discussed' });
  });
  const comment = (token: string, body: string, parentId?: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/videos/${videoId}/comments`, headers: bearer(token), payload: { body, ...(parentId ? { parentId } : {}) } });

  it('stores text exactly as given (no HTML interpretation) and counts comments', async () => {
    const hostile = '<script>alert("x")</script> & <b>bold</b>';
    const response = await comment(viewers[0]!.accessToken, hostile);
    expect(response.statusCode).toBe(201);
    expect(response.json<Comment>().body).toBe(hostile);
    const listed = (await t.app.inject({ url: `/api/v1/videos/${videoId}/comments?sort=newest` })).json<CommentPage>();
    expect(listed.items[0]!.body).toBe(hostile);
    expect(listed.total).toBe(1);
    expect(response.headers['content-type']).toContain('application/json');
  });

  it('has one level of replies: replying to a reply attaches to the top-level comment', async () => {
    const top = (await comment(viewers[1]!.accessToken, 'Top level')).json<Comment>();
    const reply = (await comment(viewers[2]!.accessToken, 'A reply', top.id)).json<Comment>();
    expect(reply.parentId).toBe(top.id);
    const nested = (await comment(viewers[3]!.accessToken, 'Reply to the reply', reply.id)).json<Comment>();
    expect(nested.parentId).toBe(top.id);
    const replies = (await t.app.inject({ url: `/api/v1/comments/${top.id}/replies` })).json<CommentPage>();
    expect(replies.items.map((c) => c.body)).toEqual(['A reply', 'Reply to the reply']);
    const topLevel = (await t.app.inject({ url: `/api/v1/videos/${videoId}/comments?sort=newest` })).json<CommentPage>();
    expect(topLevel.items.find((c) => c.id === top.id)?.replyCount).toBe(2);
    expect(topLevel.items.every((c) => c.parentId === null)).toBe(true);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}` })).json<Video>().commentCount).toBe(4);
  });

  it('sorts by top (likes) and paginates with a cursor', async () => {
    const liked = (await comment(viewers[4]!.accessToken, 'Most liked')).json<Comment>();
    for (const v of viewers.slice(0, 3)) await t.app.inject({ method: 'PUT', url: `/api/v1/comments/${liked.id}/like`, headers: bearer(v.accessToken) });
    await t.app.inject({ method: 'PUT', url: `/api/v1/comments/${liked.id}/like`, headers: bearer(viewers[0]!.accessToken) });
    const top = (await t.app.inject({ url: `/api/v1/videos/${videoId}/comments?sort=top&limit=1`, headers: bearer(viewers[0]!.accessToken) })).json<CommentPage>();
    expect(top.items[0]).toMatchObject({ id: liked.id, likeCount: 3, likedByMe: true });
    const seen = new Set([top.items[0]!.id]);
    let cursor = top.nextCursor;
    while (cursor) {
      const page = (await t.app.inject({ url: `/api/v1/videos/${videoId}/comments?sort=top&limit=1&cursor=${cursor}` })).json<CommentPage>();
      for (const item of page.items) {
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(3);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}/comments?cursor=garbage` })).statusCode).toBe(400);
  });

  it('author edits; author, video owner or admin deletes (with replies); others cannot', async () => {
    const mine = (await comment(viewers[5]!.accessToken, 'Typo hree')).json<Comment>();
    const reply = (await comment(viewers[6]!.accessToken, 'Reply', mine.id)).json<Comment>();
    const before = (await t.app.inject({ url: `/api/v1/videos/${videoId}` })).json<Video>().commentCount;
    const othersEdit = await t.app.inject({ method: 'PATCH', url: `/api/v1/comments/${mine.id}`, headers: bearer(viewers[6]!.accessToken), payload: { body: 'Hijacked' } });
    expect(othersEdit.statusCode).toBe(403);
    const ownersEdit = await t.app.inject({ method: 'PATCH', url: `/api/v1/comments/${mine.id}`, headers: bearer(owner.accessToken), payload: { body: 'Owner rewrite' } });
    expect(ownersEdit.statusCode).toBe(403);
    const edited = await t.app.inject({ method: 'PATCH', url: `/api/v1/comments/${mine.id}`, headers: bearer(viewers[5]!.accessToken), payload: { body: 'Typo here' } });
    expect(edited.json<Comment>()).toMatchObject({ body: 'Typo here', editedAt: expect.any(String) });

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/comments/${reply.id}`, headers: bearer(viewers[7]!.accessToken) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/comments/${mine.id}`, headers: bearer(owner.accessToken) })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/comments/${reply.id}/replies` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${videoId}` })).json<Video>().commentCount).toBe(before - 2);
  });

  it('can be turned off per video', async () => {
    await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${videoId}`, headers: bearer(owner.accessToken), payload: { commentsEnabled: false } });
    const refused = await comment(viewers[0]!.accessToken, 'Anyone there?');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('Comments are turned off for this video');
    await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${videoId}`, headers: bearer(owner.accessToken), payload: { commentsEnabled: true } });
    expect((await comment(viewers[0]!.accessToken, 'Back on')).statusCode).toBe(201);
  });

  it('comments of a private video are invisible to others', async () => {
    const secret = await insertReadyVideo(t, owner.user.id, { visibility: 'private' });
    expect((await t.app.inject({ url: `/api/v1/videos/${secret}/comments` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/videos/${secret}/comments`, headers: bearer(viewers[0]!.accessToken), payload: { body: 'hi' } })).statusCode).toBe(404);
  });
});
