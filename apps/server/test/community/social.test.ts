import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '@tube/shared';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { type ApiClient, apiClient } from '../helpers/client.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof registerUser>>;
let asOwner: ApiClient;
let anonymous: ApiClient;
/** Eight signed-in viewers, each as a client. */
let viewers: ApiClient[];
beforeAll(async () => {
  t = await startTestApp();
  owner = await registerUser(t.app, 'creator');
  asOwner = apiClient(t.app, owner.accessToken);
  anonymous = apiClient(t.app);
  viewers = (await Promise.all(Array.from({ length: 8 }, () => registerUser(t.app)))).map((viewer) => apiClient(t.app, viewer.accessToken));
});
afterAll(() => t?.close());

describe('likes and dislikes', () => {
  it('one vote per user, changeable and removable, with exact counts under concurrency', async () => {
    const videoId = await insertReadyVideo(t, owner.user.id);
    // Every viewer fires like, like, dislike, like at once; each ends with exactly one vote.
    await Promise.all(viewers.flatMap((viewer) => (['like', 'like', 'dislike', 'like'] as const).map((rating) => viewer.videos.rate(videoId, rating))));
    const votes = await t.infra.db.selectFrom('video_votes').select(['value']).where('video_id', '=', videoId).execute();
    expect(votes).toHaveLength(8);
    const likes = votes.filter((v) => v.value === 1).length;
    expect(await anonymous.videos.rating(videoId)).toEqual({ likeCount: likes, dislikeCount: 8 - likes, myRating: 'none' });

    const first = viewers[0]!;
    expect((await first.videos.rate(videoId, 'dislike')).myRating).toBe('dislike');
    expect((await first.videos.rate(videoId, 'none')).myRating).toBe('none');
    const after = await first.videos.rating(videoId);
    expect(after.likeCount + after.dislikeCount).toBe(7);
    expect((await anonymous.videos.get(videoId)).likeCount).toBe(after.likeCount);
  });

  it('lists my liked videos, never a video I can no longer see', async () => {
    const fan = viewers[1]!;
    const kept = await insertReadyVideo(t, owner.user.id, { title: 'Keep' });
    const privated = await insertReadyVideo(t, owner.user.id, { title: 'Goes private' });
    await fan.videos.rate(kept, 'like');
    await fan.videos.rate(privated, 'like');
    await asOwner.videos.update(privated, { visibility: 'private' });
    const liked = await fan.videos.liked();
    expect(liked.items.map((v) => v.title)).toContain('Keep');
    expect(liked.items.map((v) => v.title)).not.toContain('Goes private');
  });

  it('cannot rate a private video of someone else, or without signing in', async () => {
    const secret = await insertReadyVideo(t, owner.user.id, { visibility: 'private' });
    expect((await viewers[2]!.request('PUT', `/videos/${secret}/rating`, { rating: 'like' })).statusCode).toBe(404);
    expect((await anonymous.request('PUT', `/videos/${secret}/rating`, { rating: 'like' })).statusCode).toBe(401);
  });
});

describe('comments', () => {
  let videoId: string;
  beforeAll(async () => {
    videoId = await insertReadyVideo(t, owner.user.id, { title: 'Discussed' });
  });
  const comment = (viewer: ApiClient, body: string, parentId?: string) => viewer.comments.create(videoId, { body, ...(parentId ? { parentId } : {}) });

  it('stores text exactly as given (no HTML interpretation) and counts comments', async () => {
    const hostile = '<script>alert("x")</script> & <b>bold</b>';
    const response = await viewers[0]!.request('POST', `/videos/${videoId}/comments`, { body: hostile });
    expect(response.statusCode).toBe(201);
    expect(response.json<{ body: string }>().body).toBe(hostile);
    const listed = await anonymous.comments.list(videoId, { sort: 'newest' });
    expect(listed.items[0]!.body).toBe(hostile);
    expect(listed.total).toBe(1);
    expect(response.headers['content-type']).toContain('application/json');
  });

  it('has one level of replies: replying to a reply attaches to the top-level comment', async () => {
    const top = await comment(viewers[1]!, 'Top level');
    const reply = await comment(viewers[2]!, 'A reply', top.id);
    expect(reply.parentId).toBe(top.id);
    const nested = await comment(viewers[3]!, 'Reply to the reply', reply.id);
    expect(nested.parentId).toBe(top.id);
    const replies = await anonymous.comments.replies(top.id);
    expect(replies.items.map((c) => c.body)).toEqual(['A reply', 'Reply to the reply']);
    const topLevel = await anonymous.comments.list(videoId, { sort: 'newest' });
    expect(topLevel.items.find((c) => c.id === top.id)?.replyCount).toBe(2);
    expect(topLevel.items.every((c) => c.parentId === null)).toBe(true);
    expect((await anonymous.videos.get(videoId)).commentCount).toBe(4);
  });

  it('sorts by top (likes) and paginates with a cursor', async () => {
    const liked = await comment(viewers[4]!, 'Most liked');
    for (const viewer of viewers.slice(0, 3)) await viewer.comments.like(liked.id);
    await viewers[0]!.comments.like(liked.id);
    const top = await viewers[0]!.comments.list(videoId, { sort: 'top', limit: 1 });
    expect(top.items[0]).toMatchObject({ id: liked.id, likeCount: 3, likedByMe: true });
    const seen = new Set([top.items[0]!.id]);
    let cursor = top.nextCursor;
    while (cursor) {
      const page = await anonymous.comments.list(videoId, { sort: 'top', limit: 1, cursor });
      for (const item of page.items) {
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(3);
    expect((await anonymous.request('GET', `/videos/${videoId}/comments?cursor=garbage`)).statusCode).toBe(400);
  });

  it('author edits; author, video owner or admin deletes (with replies); others cannot', async () => {
    const author = viewers[5]!;
    const mine = await comment(author, 'Typo hree');
    const reply = await comment(viewers[6]!, 'Reply', mine.id);
    const before = (await anonymous.videos.get(videoId)).commentCount;
    expect((await viewers[6]!.request('PATCH', `/comments/${mine.id}`, { body: 'Hijacked' })).statusCode).toBe(403);
    expect((await asOwner.request('PATCH', `/comments/${mine.id}`, { body: 'Owner rewrite' })).statusCode).toBe(403);
    expect(await author.comments.edit(mine.id, 'Typo here')).toMatchObject({ body: 'Typo here', editedAt: expect.any(String) });

    expect((await viewers[7]!.request('DELETE', `/comments/${reply.id}`)).statusCode).toBe(403);
    await asOwner.comments.delete(mine.id);
    expect((await anonymous.request('GET', `/comments/${reply.id}/replies`)).statusCode).toBe(404);
    expect((await anonymous.videos.get(videoId)).commentCount).toBe(before - 2);
  });

  it('can be turned off per video', async () => {
    await asOwner.videos.update(videoId, { commentsEnabled: false });
    const refused = await viewers[0]!.request('POST', `/videos/${videoId}/comments`, { body: 'Anyone there?' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<ErrorBody>().error.message).toBe('Comments are turned off for this video');
    await asOwner.videos.update(videoId, { commentsEnabled: true });
    await comment(viewers[0]!, 'Back on');
  });

  it('comments of a private video are invisible to others', async () => {
    const secret = await insertReadyVideo(t, owner.user.id, { visibility: 'private' });
    expect((await anonymous.request('GET', `/videos/${secret}/comments`)).statusCode).toBe(404);
    expect((await viewers[0]!.request('POST', `/videos/${secret}/comments`, { body: 'hi' })).statusCode).toBe(404);
  });
});
