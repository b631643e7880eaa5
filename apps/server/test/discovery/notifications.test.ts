import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification, NotificationPage, UnreadCount, Video } from '@tube/shared';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, makeVideo, waitFor } from '../helpers/media.ts';
import { uploadVideo } from '../helpers/videos.ts';
import { account, adminAccount, insertVideo, type Account } from './fixtures.ts';

let t: TestApp;
let dir: string;
let creator: Account;
let fan: Account;
let otherFan: Account;
let stranger: Account;
let admin: Account;
let launch: Video;
let unlisted: Video;
let broken: Video;

async function inbox(who: Account, query = ''): Promise<NotificationPage> {
  const response = await t.app.inject({ url: `/api/v1/notifications${query}`, headers: who.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<NotificationPage>();
}

async function unread(who: Account): Promise<number> {
  return (await t.app.inject({ url: '/api/v1/notifications/unread-count', headers: who.headers })).json<UnreadCount>().unread;
}

async function markRead(who: Account, payload?: { ids?: string[] }) {
  return t.app.inject({ method: 'POST', url: '/api/v1/notifications/read', headers: who.headers, ...(payload ? { payload } : {}) });
}

const summary = (items: Notification[]) => items.map((item) => `${item.kind}:${item.video?.title ?? '-'}`);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-notifications-'));
  t = await startTestApp(FAST_TRANSCODE_ENV, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  creator = await account(t, 'creator');
  fan = await account(t, 'fan');
  otherFan = await account(t, 'other_fan');
  stranger = await account(t, 'stranger');
  admin = await adminAccount(t);
  await t.infra.db
    .insertInto('subscriptions')
    .values([fan, otherFan, creator].map((user) => ({ user_id: user.id, channel_id: creator.channelId })))
    .execute();

  const clip = await makeVideo(dir, 'clip.mp4', { seconds: 1 });
  const notAVideo = path.join(dir, 'notes.mp4');
  await writeFile(notAVideo, 'These are my notes, not a video.\n'.repeat(100));
  launch = await uploadVideo(t, creator.token, clip, { title: 'Launch day', visibility: 'public' });
  unlisted = await uploadVideo(t, creator.token, clip, { title: 'Unlisted cut', visibility: 'unlisted' });
  broken = await uploadVideo(t, creator.token, notAVideo, { title: 'Broken upload' });
  expect([launch.status, unlisted.status, broken.status]).toEqual(['ready', 'ready', 'failed']);
  await waitFor(async () => (await inbox(creator)).items.length === 3, 10_000, 'the uploader notifications');
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('when processing ends', () => {
  it('tells the uploader, newest first: ready (with a playable thumbnail) or failed (with the reason)', async () => {
    const { items } = await inbox(creator);
    expect(summary(items)).toEqual(['video_failed:Broken upload', 'video_ready:Unlisted cut', 'video_ready:Launch day']);
    const [failed, readyUnlisted, readyPublic] = items;
    expect(failed).toMatchObject({ read: false, reason: broken.error, video: { id: broken.id, thumbnailUrl: null }, channel: { handle: 'creator' } });
    expect(failed!.reason).toMatch(/not a video|could not be read/);
    expect(readyPublic).toMatchObject({ reason: null, video: { id: launch.id, thumbnailUrl: launch.thumbnailUrl, durationSeconds: expect.any(Number) } });
    // The unlisted video's poster is only reachable with a signed URL.
    expect(readyUnlisted!.video!.thumbnailUrl).toContain('/media/t/');
    const poster = await fetch(
      `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}${new URL(readyUnlisted!.video!.thumbnailUrl!, 'http://x').pathname}`,
    );
    expect(poster.status).toBe(200);
  });

  it('tells each subscriber about public videos only, and not the uploader', async () => {
    for (const subscriber of [fan, otherFan]) {
      const { items } = await inbox(subscriber);
      expect(summary(items)).toEqual(['video_published:Launch day']);
      expect(items[0]).toMatchObject({
        read: false,
        reason: null,
        channel: { id: creator.channelId, handle: 'creator', name: expect.any(String) },
        video: { thumbnailUrl: launch.thumbnailUrl },
      });
    }
    expect((await inbox(stranger)).items).toEqual([]);
    expect(await unread(fan)).toBe(1);
    expect(await unread(creator)).toBe(3);
  });

  it('announces each video once, however often the hook runs', async () => {
    const notifier = t.services.videoEvents;
    await notifier.videoReady(launch.id);
    await notifier.videoReady(launch.id);
    expect(summary((await inbox(fan)).items)).toEqual(['video_published:Launch day']);
    expect((await inbox(creator)).items).toHaveLength(3);
  });

  it('tells nobody when the video is not in the state the hook reports', async () => {
    const notifier = t.services.videoEvents;
    await notifier.videoFailed(launch.id);
    await notifier.videoReady(broken.id);
    expect((await inbox(creator)).items).toHaveLength(3);
    expect((await inbox(fan)).items).toHaveLength(1);
  });
});

describe('reading', () => {
  it('pages newest first', async () => {
    const first = await inbox(creator, '?limit=2');
    const second = await inbox(creator, `?limit=2&cursor=${first.nextCursor!}`);
    expect(summary([...first.items, ...second.items])).toEqual(summary((await inbox(creator)).items));
    expect(second.nextCursor).toBeNull();
    expect((await t.app.inject({ url: '/api/v1/notifications?cursor=garbage', headers: creator.headers })).statusCode).toBe(400);
  });

  it('marks the given notifications read, only for their owner', async () => {
    const fanNotification = (await inbox(fan)).items[0]!;
    const foreign = await markRead(otherFan, { ids: [fanNotification.id] });
    expect(foreign.json<UnreadCount>()).toEqual({ unread: 1 });
    expect(await unread(fan)).toBe(1);

    expect((await markRead(fan, { ids: [fanNotification.id] })).json<UnreadCount>()).toEqual({ unread: 0 });
    expect((await inbox(fan)).items[0]!.read).toBe(true);
    expect((await inbox(fan, '?unread=true')).items).toEqual([]);
  });

  it('marks everything read when no ids are given', async () => {
    const [newest] = (await inbox(creator)).items;
    await markRead(creator, { ids: [newest!.id] });
    expect(await unread(creator)).toBe(2);
    expect((await markRead(creator, {})).json<UnreadCount>()).toEqual({ unread: 0 });
    expect((await inbox(creator)).items.every((item) => item.read)).toBe(true);
    const withoutBody = await markRead(otherFan);
    expect(withoutBody.statusCode).toBe(200);
    expect(withoutBody.json<UnreadCount>()).toEqual({ unread: 0 });
  });

  it('needs a signed-in user and valid ids', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/notifications'],
      ['GET', '/api/v1/notifications/unread-count'],
      ['POST', '/api/v1/notifications/read'],
    ] as const) {
      expect((await t.app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) })).statusCode, url).toBe(401);
    }
    expect((await markRead(fan, { ids: ['not-a-uuid'] })).statusCode).toBe(400);
  });
});

describe('privacy', () => {
  async function setVisibility(video: Video, visibility: Video['visibility']) {
    const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/videos/${video.id}`, headers: creator.headers, payload: { visibility } });
    expect(response.statusCode).toBe(200);
  }

  it('hides announcements of videos made private or unlisted, and shows them again when public', async () => {
    await t.infra.db.updateTable('notifications').set({ read_at: null }).where('user_id', '=', otherFan.id).execute();
    for (const visibility of ['private', 'unlisted'] as const) {
      await setVisibility(launch, visibility);
      expect((await inbox(otherFan)).items, visibility).toEqual([]);
      expect(await unread(otherFan)).toBe(0);
      // The uploader keeps theirs.
      expect(summary((await inbox(creator)).items)).toContain('video_ready:Launch day');
    }
    await setVisibility(launch, 'public');
    expect(summary((await inbox(otherFan)).items)).toEqual(['video_published:Launch day']);
    expect(await unread(otherFan)).toBe(1);
  });

  it('hides announcements of videos hidden by moderation', async () => {
    const hide = await t.app.inject({ method: 'POST', url: `/api/v1/admin/videos/${launch.id}/hide`, headers: admin.headers, payload: { reason: 'spam' } });
    expect(hide.statusCode).toBe(200);
    expect((await inbox(otherFan)).items).toEqual([]);
    expect(summary((await inbox(creator)).items)).toContain('video_ready:Launch day');
    await t.app.inject({ method: 'POST', url: `/api/v1/admin/videos/${launch.id}/unhide`, headers: admin.headers });
    expect((await inbox(otherFan)).items).toHaveLength(1);
  });

  it('announces a video that becomes public later (through PATCH), once', async () => {
    await setVisibility(unlisted, 'public');
    expect(summary((await inbox(fan)).items)).toEqual(['video_published:Unlisted cut', 'video_published:Launch day']);
    // Announcing again (another visibility flip, a retried hook) adds nothing.
    await t.services.videoEvents.videoBecamePublic(unlisted.id);
    expect(summary((await inbox(fan)).items)).toEqual(['video_published:Unlisted cut', 'video_published:Launch day']);
    expect(summary((await inbox(creator)).items).filter((entry) => entry.startsWith('video_published'))).toEqual([]);
  });

  it('deletes notifications with their video', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${launch.id}`, headers: creator.headers });
    expect(response.statusCode).toBe(204);
    expect(summary((await inbox(fan)).items)).toEqual(['video_published:Unlisted cut']);
    expect(summary((await inbox(creator)).items)).not.toContain('video_ready:Launch day');
  });

  it('fans out to every subscriber', async () => {
    const many = await t.infra.db
      .insertInto('users')
      .values(Array.from({ length: 50 }, (_, n) => ({ username: `follower${n}`, email: null, password_hash: null })))
      .returning('id')
      .execute();
    await t.infra.db
      .insertInto('subscriptions')
      .values(many.map((user) => ({ user_id: user.id, channel_id: creator.channelId })))
      .execute();
    const id = await insertVideo(t, creator, { title: 'Big announcement' });
    await t.services.videoEvents.videoReady(id);
    const counts = await t.infra.db
      .selectFrom('notifications')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('count')])
      .where('video_id', '=', id)
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    expect(counts.map((row) => [row.kind, Number(row.count)])).toEqual([
      ['video_published', 52],
      ['video_ready', 1],
    ]);
  });
});
