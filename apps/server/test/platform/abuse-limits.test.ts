import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientNetwork } from '../../src/infra/rate-limit/rate-limiter.ts';
import { unclassifiedWriteRoutes } from '../../src/http/write-limits.ts';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/** Rate limits on every write an anonymous or new account can make, shared through Redis; views resist inflation. */
let t: TestApp;
let videoId: string;

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT_REGISTRATIONS_PER_IP: '3',
    RATE_LIMIT_UPLOADS_PER_ACCOUNT: '2',
    RATE_LIMIT_COMMENTS_PER_ACCOUNT: '2',
    RATE_LIMIT_REPORTS_PER_ACCOUNT: '2',
    RATE_LIMIT_WRITES_PER_ACCOUNT: '3',
    RATE_LIMIT_WRITES_PER_IP: '12',
    LOGIN_RATE_LIMIT_ACCOUNT: '3',
    LOGIN_RATE_LIMIT_IP: '1000',
    VIEW_MAX_PER_IP: '3',
  });
  const owner = await register('10.50.0.1');
  videoId = await insertReadyVideo(t, owner.user.id, { title: 'Target' });
});
afterAll(async () => {
  await t?.close();
});

let addressCounter = 0;
/** A fresh client address per call unless one is given, so each scenario has the network budget to itself. */
const freshAddress = () => `10.60.${Math.floor(++addressCounter / 250)}.${addressCounter % 250}`;

async function register(remoteAddress = freshAddress(), name = `u${randomBytes(4).toString('hex')}`) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    remoteAddress,
    payload: { username: name, email: `${name}@example.test`, password: 'correct horse' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ user: { id: string; username: string }; accessToken: string }>();
}

function expectLimited(
  response: { statusCode: number; headers: Record<string, unknown>; json(): { error: { code: string; message: string } } },
  message: RegExp,
) {
  expect(response.statusCode).toBe(429);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.json().error.code).toBe('rate_limited');
  expect(response.json().error.message).toMatch(message);
  expect(response.json().error.message).toMatch(/try again in \d+ (seconds|minutes)/);
}

describe('write rate limits', () => {
  it('limit registrations per network', async () => {
    const address = '10.70.0.1';
    for (let i = 0; i < 3; i++) await register(address);
    const fourth = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      remoteAddress: address,
      payload: { username: 'onetoomany', email: 'onetoomany@example.test', password: 'correct horse' },
    });
    expectLimited(fourth, /accounts have been created from your network/);
    // Another network is unaffected.
    await register('10.70.0.2');
  });

  it('limit comments per account, from whatever address', async () => {
    const { accessToken } = await register();
    const comment = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/videos/${videoId}/comments`,
        remoteAddress: freshAddress(),
        headers: bearer(accessToken),
        payload: { body: 'first!' },
      });
    expect((await comment()).statusCode).toBe(201);
    expect((await comment()).statusCode).toBe(201);
    expectLimited(await comment(), /many comments/);
  });

  it('limit video creation per account', async () => {
    const { accessToken } = await register();
    const create = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/videos', remoteAddress: freshAddress(), headers: bearer(accessToken), payload: { title: 'Spam' } });
    expect((await create()).statusCode).toBe(201);
    expect((await create()).statusCode).toBe(201);
    expectLimited(await create(), /many videos/);
  });

  it('count tus upload creation in the same budget as video creation', async () => {
    const { accessToken } = await register();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/videos',
      remoteAddress: freshAddress(),
      headers: bearer(accessToken),
      payload: { title: 'Via tus' },
    });
    expect(created.statusCode).toBe(201);
    const tusCreate = await t.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      remoteAddress: freshAddress(),
      headers: {
        ...bearer(accessToken),
        'tus-resumable': '1.0.0',
        'upload-length': '100',
        'upload-metadata': `videoId ${Buffer.from(created.json<{ id: string }>().id).toString('base64')}`,
      },
    });
    expect(tusCreate.statusCode, tusCreate.body).toBe(201);
    expectLimited(
      await t.app.inject({ method: 'POST', url: '/api/v1/videos', remoteAddress: freshAddress(), headers: bearer(accessToken), payload: { title: 'Third' } }),
      /many videos/,
    );
  });

  it('limit reports per account', async () => {
    const { accessToken } = await register();
    const targets = await Promise.all(
      [0, 1, 2].map(
        async () =>
          (
            await t.app.inject({
              method: 'POST',
              url: `/api/v1/videos/${videoId}/comments`,
              headers: bearer((await register()).accessToken),
              payload: { body: 'reported' },
            })
          ).json<{ id: string }>().id,
      ),
    );
    const report = (targetId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        remoteAddress: freshAddress(),
        headers: bearer(accessToken),
        payload: { targetType: 'comment', targetId, reason: 'spam' },
      });
    expect((await report(targets[0]!)).statusCode).toBe(201);
    expect((await report(targets[1]!)).statusCode).toBe(201);
    expectLimited(await report(targets[2]!), /many reports/);
  });

  it('limit votes, subscriptions and playlist writes together per account', async () => {
    const { accessToken } = await register();
    const channel = (await t.app.inject({ url: `/api/v1/videos/${videoId}` })).json<{ channel: { handle: string } }>().channel.handle;
    const writes = [
      () =>
        t.app.inject({
          method: 'PUT',
          url: `/api/v1/videos/${videoId}/rating`,
          remoteAddress: freshAddress(),
          headers: bearer(accessToken),
          payload: { rating: 'like' },
        }),
      () => t.app.inject({ method: 'PUT', url: `/api/v1/channels/${channel}/subscription`, remoteAddress: freshAddress(), headers: bearer(accessToken) }),
      () => t.app.inject({ method: 'POST', url: '/api/v1/playlists', remoteAddress: freshAddress(), headers: bearer(accessToken), payload: { title: 'Mine' } }),
    ];
    for (const write of writes) expect((await write()).statusCode).toBeLessThan(300);
    expectLimited(await writes[0]!(), /many changes/);
  });

  it('limit all writes from one network, however many accounts make them', async () => {
    const address = '10.80.0.1';
    const accounts = await Promise.all(Array.from({ length: 7 }, () => register()));
    const statuses: number[] = [];
    for (const account of accounts) {
      for (let i = 0; i < 2; i++) {
        const response = await t.app.inject({
          method: 'PUT',
          url: `/api/v1/videos/${videoId}/rating`,
          remoteAddress: address,
          headers: bearer(account.accessToken),
          payload: { rating: i ? 'dislike' : 'like' },
        });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) expectLimited(response, /from your network/);
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(12);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it('spend nothing on requests that fail validation', async () => {
    const { accessToken } = await register();
    for (let i = 0; i < 5; i++) {
      expect(
        (await t.app.inject({ method: 'POST', url: `/api/v1/videos/${videoId}/comments`, headers: bearer(accessToken), payload: { body: '' } })).statusCode,
      ).toBe(400);
    }
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/v1/videos/${videoId}/comments`, headers: bearer(accessToken), payload: { body: 'real' } })).statusCode,
    ).toBe(201);
  });

  it('cover every write route: each draws from a budget or is exempt for a stated reason', () => {
    expect(unclassifiedWriteRoutes(t.app)).toEqual([]);
  });

  it('count in the shared cache (Redis), so every API process sees the same budget', async () => {
    expect(t.infra.cache.driver).toBe('redis');
    const { user, accessToken } = await register();
    await t.app.inject({ method: 'POST', url: `/api/v1/videos/${videoId}/comments`, headers: bearer(accessToken), payload: { body: 'one' } });
    expect((await t.infra.cache.hit(`ratelimit:comments:${user.id}`, 60, 0)).count).toBe(1);
  });
});

describe('login rate limit per account', () => {
  it('counts failures by the account, whether it is named by username or email', async () => {
    const { user } = await register(freshAddress(), 'mallorytarget');
    const attempt = (login: string, password = 'wrong-guess') =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: freshAddress(), payload: { login, password } });
    expect((await attempt('mallorytarget')).statusCode).toBe(401);
    expect((await attempt('MalloryTarget@example.test')).statusCode).toBe(401);
    expect((await attempt('mallorytarget@example.test')).statusCode).toBe(401);
    // Three failures in all: the account is locked for both of its names, even with the right password.
    expectLimited(await attempt('mallorytarget', 'correct horse'), /failed logins for this account/);
    expectLimited(await attempt('mallorytarget@example.test', 'correct horse'), /failed logins for this account/);
    expect(user.username).toBe('mallorytarget');
  });

  it('keys unknown logins on their normalised text', async () => {
    const attempt = (login: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: freshAddress(), payload: { login, password: 'wrong-guess' } });
    for (const login of ['ghost-user', 'GHOST-USER', ' ghost-user ']) expect((await attempt(login)).statusCode).toBe(401);
    expectLimited(await attempt('Ghost-User'), /failed logins/);
  });
});

describe('anonymous view counting', () => {
  const view = (id: string, remoteAddress: string, userAgent: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/videos/${id}/views`, remoteAddress, headers: { 'user-agent': userAgent } });

  it('counts one client rotating User-Agents once', async () => {
    const id = await insertReadyVideo(t, (await register()).user.id);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => view(id, '10.90.0.1', `Browser/${i}.${randomBytes(3).toString('hex')}`)));
    expect(responses.filter((r) => r.json<{ counted: boolean }>().counted)).toHaveLength(1);
  });

  it('counts one IPv6 client rotating addresses within its /64 once', async () => {
    const id = await insertReadyVideo(t, (await register()).user.id);
    const addresses = Array.from({ length: 10 }, (_, i) => `2001:db8:aa:1:${i.toString(16)}:${randomBytes(2).toString('hex')}::${i + 1}`);
    const responses = await Promise.all(addresses.map((address) => view(id, address, 'Same/1.0')));
    expect(responses.filter((r) => r.json<{ counted: boolean }>().counted)).toHaveLength(1);
    // Another /64 is another viewer.
    expect((await view(id, '2001:db8:aa:2::1', 'Same/1.0')).json<{ counted: boolean }>().counted).toBe(true);
  });

  it('bounds how many videos one network is counted on per window', async () => {
    const owner = (await register()).user.id;
    const ids = await Promise.all(Array.from({ length: 5 }, () => insertReadyVideo(t, owner)));
    const counted: boolean[] = [];
    for (const id of ids) counted.push((await view(id, '10.91.0.1', 'Bot/1.0')).json<{ counted: boolean }>().counted);
    expect(counted).toEqual([true, true, true, false, false]);
    // Another network still counts.
    expect((await view(ids[4]!, '10.91.0.2', 'Person/1.0')).json<{ counted: boolean }>().counted).toBe(true);
  });

  it('reduces addresses to networks', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('2001:db8:0:1:2:3:4:5')).toBe('2001:db8:0:1::/64');
    expect(clientNetwork('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork(undefined)).toBe('unknown');
  });
});
