import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/**
 * Hostile input must be refused with a 4xx and a readable `{ error: { code, message } }` before it reaches
 * PostgreSQL: NUL and other control characters in free text, forged cursors, odd media file names.
 */
let t: TestApp;
let token: string;
let adminToken: string;
let videoId: string;
let commentId: string;
let playlistId: string;
let channelHandle: string;

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const user = await registerUser(t.app);
  token = user.accessToken;
  channelHandle = user.user.channel.handle;
  const admin = await registerUser(t.app, 'hostileadmin');
  await t.infra.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.user.id).execute();
  adminToken = admin.accessToken;
  videoId = await insertReadyVideo(t, user.user.id, { title: 'Target video' });
  // A real prefix, so media requests get past the "current version of a ready video" check.
  await t.infra.db
    .updateTable('videos')
    .set({ media_prefix: `videos/${videoId}/v1` })
    .where('id', '=', videoId)
    .execute();
  await t.infra.storage.put(`videos/${videoId}/v1/master.m3u8`, '#EXTM3U\n');
  commentId = (await t.app.inject({ method: 'POST', url: `/api/v1/videos/${videoId}/comments`, headers: bearer(token), payload: { body: 'hello' } })).json<{
    id: string;
  }>().id;
  playlistId = (await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: bearer(token), payload: { title: 'Mine' } })).json<{ id: string }>().id;
});
afterAll(async () => {
  await t?.close();
});

const NUL = 'a\u0000b';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const DASHES = '-'.repeat(36);
const q = encodeURIComponent;

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: () => string;
  payload?: () => Record<string, unknown>;
  auth?: 'user' | 'admin' | 'none';
  /** Sent over HTTP exactly as written: `app.inject` would normalise `..` and `.` segments away. */
  raw?: boolean;
}

const textCases: Case[] = [
  {
    name: 'register username',
    method: 'POST',
    url: () => '/api/v1/auth/register',
    payload: () => ({ username: `ab${NUL}cd`, email: 'x@example.test', password: 'correct horse' }),
    auth: 'none',
  },
  {
    name: 'register email',
    method: 'POST',
    url: () => '/api/v1/auth/register',
    payload: () => ({ username: 'nulemail', email: `x${NUL}@example.test`, password: 'correct horse' }),
    auth: 'none',
  },
  { name: 'login', method: 'POST', url: () => '/api/v1/auth/login', payload: () => ({ login: NUL, password: 'whatever1' }), auth: 'none' },
  { name: 'login password', method: 'POST', url: () => '/api/v1/auth/login', payload: () => ({ login: 'someone', password: `pass${NUL}word` }), auth: 'none' },
  { name: 'video title', method: 'POST', url: () => '/api/v1/videos', payload: () => ({ title: NUL }) },
  { name: 'video description', method: 'POST', url: () => '/api/v1/videos', payload: () => ({ title: 'ok', description: NUL }) },
  { name: 'video tag', method: 'POST', url: () => '/api/v1/videos', payload: () => ({ title: 'ok', tags: [NUL] }) },
  { name: 'video title edit', method: 'PATCH', url: () => `/api/v1/videos/${videoId}`, payload: () => ({ title: NUL }) },
  { name: 'comment', method: 'POST', url: () => `/api/v1/videos/${videoId}/comments`, payload: () => ({ body: NUL }) },
  { name: 'comment edit', method: 'PATCH', url: () => `/api/v1/comments/${commentId}`, payload: () => ({ body: NUL }) },
  { name: 'playlist title', method: 'POST', url: () => '/api/v1/playlists', payload: () => ({ title: NUL }) },
  { name: 'playlist edit', method: 'PATCH', url: () => `/api/v1/playlists/${playlistId}`, payload: () => ({ description: NUL }) },
  { name: 'channel create', method: 'POST', url: () => '/api/v1/channels', payload: () => ({ handle: 'nulchannel', name: NUL }) },
  { name: 'channel description', method: 'PATCH', url: () => `/api/v1/channels/${channelHandle}`, payload: () => ({ description: NUL }) },
  { name: 'channel handle in path', url: () => `/api/v1/channels/${q(`x${NUL}y`)}`, auth: 'none' },
  { name: 'channel handle videos', url: () => `/api/v1/channels/${q(`x${NUL}y`)}/videos`, auth: 'none' },
  { name: 'channel handle playlists', url: () => `/api/v1/channels/${q(`x${NUL}y`)}/playlists`, auth: 'none' },
  { name: 'channel handle subscribe', method: 'PUT', url: () => `/api/v1/channels/${q(`x${NUL}y`)}/subscription` },
  {
    name: 'report details',
    method: 'POST',
    url: () => '/api/v1/reports',
    payload: () => ({ targetType: 'video', targetId: videoId, reason: 'spam', details: NUL }),
  },
  { name: 'hide reason', method: 'POST', url: () => `/api/v1/admin/videos/${videoId}/hide`, payload: () => ({ reason: NUL }), auth: 'admin' },
  { name: 'search q', url: () => `/api/v1/search?q=${q(NUL)}`, auth: 'none' },
  { name: 'search q (channels)', url: () => `/api/v1/search?type=channels&q=${q(NUL)}`, auth: 'none' },
  { name: 'suggestions q', url: () => `/api/v1/search/suggestions?q=${q(NUL)}`, auth: 'none' },
  { name: 'refresh token', method: 'POST', url: () => '/api/v1/auth/refresh', payload: () => ({ refreshToken: `${'x'.repeat(20)}${NUL}` }), auth: 'none' },
  { name: 'video id with a urn:uuid: prefix', url: () => `/api/v1/videos/urn:uuid:${videoId}`, auth: 'none' },
  {
    name: 'playlist item id with a urn:uuid: prefix',
    method: 'POST',
    url: () => `/api/v1/playlists/${playlistId}/items`,
    payload: () => ({ videoId: `urn:uuid:${videoId}` }),
  },
  { name: 'escape character in a title', method: 'POST', url: () => '/api/v1/videos', payload: () => ({ title: 'a\u001bb' }) },
  { name: 'studio title search', url: () => `/api/v1/studio/videos?q=${q(NUL)}` },
  { name: 'channel analytics handle', url: () => `/api/v1/studio/channels/${q(`x${NUL}y`)}/analytics` },
  { name: 'scheduled videos handle', url: () => `/api/v1/channels/${q(`x${NUL}y`)}/scheduled` },
];

const cursorCases: Case[] = [
  ...[
    '/api/v1/videos',
    `/api/v1/channels/${'CHANNEL'}/videos`,
    '/api/v1/feed/subscriptions',
    '/api/v1/users/me/liked-videos',
    '/api/v1/users/me/videos',
    '/api/v1/users/me/history',
  ].flatMap((path): Case[] => [
    { name: `${path} cursor with a 36-dash id`, url: () => `${path.replace('CHANNEL', channelHandle)}?cursor=${b64(`2024-01-01T00:00:00.000Z|${DASHES}`)}` },
    { name: `${path} cursor of garbage`, url: () => `${path.replace('CHANNEL', channelHandle)}?cursor=${q('%%%not-base64')}` },
  ]),
  {
    name: 'videos cursor dated before PostgreSQL’s calendar',
    url: () => `/api/v1/videos?cursor=${b64(`-271821-04-20T00:00:00.000Z|00000000-0000-0000-0000-000000000000`)}`,
    auth: 'none',
  },
  {
    name: 'videos cursor with a date PostgreSQL would reject',
    url: () => `/api/v1/videos?cursor=${b64(`2024-02-30T00:00:00.000Z|00000000-0000-0000-0000-000000000000`)}`,
    auth: 'none',
  },
  {
    name: 'comments cursor with a non-date value',
    url: () => `/api/v1/videos/${videoId}/comments?sort=newest&cursor=${b64({ value: 'yesterday', id: '00000000-0000-0000-0000-000000000000' })}`,
    auth: 'none',
  },
  {
    name: 'comments cursor with a date PostgreSQL would reject',
    url: () =>
      `/api/v1/videos/${videoId}/comments?sort=newest&cursor=${b64({ value: '2024-02-30T00:00:00.000Z', id: '00000000-0000-0000-0000-000000000000' })}`,
    auth: 'none',
  },
  {
    name: 'notifications cursor with a date PostgreSQL would reject',
    url: () => `/api/v1/notifications?cursor=${b64(['notifications', '2024-02-30 10:00:00.123456+00', '00000000-0000-0000-0000-000000000000'])}`,
  },
  {
    name: 'comments top cursor with a non-date value',
    url: () => `/api/v1/videos/${videoId}/comments?sort=top&cursor=${b64({ value: '5|soon', id: '00000000-0000-0000-0000-000000000000' })}`,
    auth: 'none',
  },
  {
    name: 'comments cursor with a 36-dash id',
    url: () => `/api/v1/videos/${videoId}/comments?sort=newest&cursor=${b64({ value: '2024-01-01T00:00:00Z', id: DASHES })}`,
    auth: 'none',
  },
  {
    name: 'replies cursor with a non-date value',
    url: () => `/api/v1/comments/${commentId}/replies?cursor=${b64({ value: 'soon', id: '00000000-0000-0000-0000-000000000000' })}`,
    auth: 'none',
  },
  { name: 'trending cursor of garbage', url: () => `/api/v1/feed/trending?cursor=${b64(['trending', 'x', DASHES])}`, auth: 'none' },
  {
    name: 'notifications cursor with a non-date key',
    url: () => `/api/v1/notifications?cursor=${b64(['notifications', 'not a date', '00000000-0000-0000-0000-000000000000'])}`,
  },
  {
    name: 'admin reports cursor with a non-date key',
    url: () => `/api/v1/admin/reports?cursor=${b64(['reports:open', 'not a date', '00000000-0000-0000-0000-000000000000'])}`,
    auth: 'admin',
  },
  { name: 'search cursor of garbage', url: () => `/api/v1/search?q=hello&cursor=${b64([1, 2, 3])}`, auth: 'none' },
  { name: 'studio cursor of garbage', url: () => `/api/v1/studio/videos?cursor=${q('%%%not-base64')}` },
  { name: 'studio cursor that is not an offset', url: () => `/api/v1/studio/videos?cursor=${b64('-3')}` },
];

const mediaCases: Case[] = [
  { name: 'media id of 36 dashes', url: () => `/media/videos/${DASHES}/v1/master.m3u8`, auth: 'none', raw: true },
  { name: 'media file named ..', url: () => `/media/videos/${videoId}/v1/..`, auth: 'none', raw: true },
  { name: 'media file named .', url: () => `/media/videos/${videoId}/v1/.`, auth: 'none', raw: true },
  { name: 'media file named %2e%2e', url: () => `/media/videos/${videoId}/v1/%2e%2e`, auth: 'none', raw: true },
  { name: 'signed media file named %2e%2e', url: () => `/media/t/abc.def/videos/${videoId}/v1/%2e%2e`, auth: 'none', raw: true },
  { name: 'channel art of 36 dashes', url: () => `/media/channels/${DASHES}/avatar-0123456789ab.jpg`, auth: 'none', raw: true },
];

function sendRaw(path: string): Promise<{ statusCode: number; body: string; json<T>(): T }> {
  const port = (t.app.server.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body, json: <T>() => JSON.parse(body) as T }));
      })
      .on('error', reject);
  });
}

async function send(c: Case) {
  if (c.raw) return sendRaw(c.url());
  const headers = c.auth === 'none' ? {} : bearer(c.auth === 'admin' ? adminToken : token);
  return t.app.inject({ method: c.method ?? 'GET', url: c.url(), headers, ...(c.payload ? { payload: c.payload() } : {}) });
}

describe('hostile input is a 4xx with a readable message, never a 500', () => {
  it.each([...textCases, ...cursorCases, ...mediaCases].map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await send(c);
    expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, response.body).toBeLessThan(500);
    const body = response.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toMatch(/^[a-z_]+$/);
    expect(body.error.message.length).toBeGreaterThan(5);
  });

  it('still accepts ordinary text with tabs and new lines, and Unicode', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/videos',
      headers: bearer(token),
      payload: { title: 'Zürich 東京 🎬', description: 'line one\nline two\r\n\tindented' },
    });
    expect(response.statusCode, response.body).toBe(201);
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/v1/videos/${videoId}/comments`,
      headers: bearer(token),
      payload: { body: 'first\n\nsecond' },
    });
    expect(comment.statusCode, comment.body).toBe(201);
  });

  it('still serves the real file under that prefix', async () => {
    const response = await sendRaw(`/media/videos/${videoId}/v1/master.m3u8`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('#EXTM3U\n');
  });

  it('explains which field is wrong', async () => {
    const response = await send(textCases.find((c) => c.name === 'comment')!);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { message: string } }>().error.message).toMatch(/body/);
  });
});
