import { sql } from 'kysely';
import type { VisibilityColumn, VideoStatusColumn } from '../../src/infra/db/schema.ts';
import { bearer, registerUser, type TestApp } from '../helpers/app.ts';

export interface Account {
  id: string;
  username: string;
  channelId: string;
  token: string;
  headers: { authorization: string };
}

export async function account(t: TestApp, name?: string): Promise<Account> {
  const registered = await registerUser(t.app, name);
  return {
    id: registered.user.id,
    username: registered.user.username,
    channelId: registered.user.channel.id,
    token: registered.accessToken,
    headers: bearer(registered.accessToken),
  };
}

/** A user with the admin role; the role is in the access token, so they sign in again after the change. */
export async function adminAccount(t: TestApp, name = 'moderator'): Promise<Account> {
  const user = await account(t, name);
  await t.infra.db.updateTable('users').set({ role: 'admin' }).where('id', '=', user.id).execute();
  const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: name, password: 'correct horse' } });
  if (login.statusCode !== 200) throw new Error(`admin login failed: ${login.body}`);
  const token = login.json<{ accessToken: string }>().accessToken;
  return { ...user, token, headers: bearer(token) };
}

export interface VideoFixture {
  title: string;
  description?: string;
  tags?: string[];
  visibility?: VisibilityColumn;
  status?: VideoStatusColumn;
  views?: number;
  likes?: number;
  durationSeconds?: number;
  /** Hours before now. */
  publishedHoursAgo?: number;
  hidden?: boolean;
}

/** A video row as the pipeline leaves it, without transcoding (search and feeds only read rows). */
export async function insertVideo(t: TestApp, owner: Pick<Account, 'id' | 'channelId'>, video: VideoFixture): Promise<string> {
  const status = video.status ?? 'ready';
  const { id } = await t.infra.db
    .insertInto('videos')
    .values({
      user_id: owner.id,
      channel_id: owner.channelId,
      title: video.title,
      description: video.description ?? '',
      tags: video.tags ?? [],
      visibility: video.visibility ?? 'public',
      status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.infra.db
    .updateTable('videos')
    .set({
      view_count: video.views ?? 0,
      like_count: video.likes ?? 0,
      duration_seconds: video.durationSeconds ?? 60,
      width: 320,
      height: 240,
      media_prefix: status === 'ready' ? `videos/${id}/fixture` : null,
      published_at: status === 'ready' ? sql<Date>`now() - ${video.publishedHoursAgo ?? 1} * interval '1 hour'` : null,
      hidden_at: video.hidden ? sql<Date>`now()` : null,
    })
    .where('id', '=', id)
    .execute();
  // Trending ranks by per-day views: the fixture's views happened today.
  if (video.views)
    await t.infra.db
      .insertInto('video_stats_daily')
      .values({ video_id: id, day: new Date().toISOString().slice(0, 10), views: video.views })
      .execute();
  return id;
}

export async function json<T>(t: TestApp, url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await t.app.inject({ url, headers });
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body}`);
  return response.json<T>();
}
