/**
 * Account settings against the real parts: password, email (confirmed through a loopback SMTP server), username,
 * notification emails sent by the worker, data export, and deletion removing the account's files from storage.
 */
import type { AccountExport, ErrorBody } from '@tube/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, type TestApp } from '../helpers/app.ts';
import { apiClient } from '../helpers/client.ts';
import { waitFor } from '../helpers/media.ts';
import { linkIn, startSmtpServer, type TestSmtpServer } from '../helpers/smtp.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

let smtp: TestSmtpServer;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ SMTP_URL: smtp.url, EMAIL_VERIFICATION: 'optional' }, 'all', { withWorker: true });
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const PASSWORD = 'correct horse';
const anonymous = () => apiClient(t.app);
const login = (login: string, password = PASSWORD) => anonymous().request('POST', '/auth/login', { login, password });

/** Registers (EMAIL_VERIFICATION=optional: signed in at once) and confirms the address through the emailed link. */
async function member(username: string) {
  const registered = await anonymous().auth.register({ username, email: `${username}@example.test`, password: PASSWORD });
  const { token } = linkIn(await smtp.waitForMail(`${username}@example.test`, /Confirm/), '/verify-email');
  await anonymous().auth.verifyEmail(token);
  const channelId = registered.user.channel?.id;
  if (!channelId) throw new Error(`${username} was registered without a channel`);
  return {
    id: registered.user.id,
    channelId,
    headers: bearer(registered.accessToken),
    client: apiClient(t.app, registered.accessToken),
    refreshToken: registered.refreshToken,
  };
}

describe('account settings', () => {
  it('changes the password with the current one and signs out the other sessions only', async () => {
    const here = await member('rotator');
    const elsewhere = (await login('rotator')).json<{ refreshToken: string; accessToken: string }>();
    const wrong = await here.client.request('PUT', '/account/password', { currentPassword: 'nope', newPassword: 'brand new secret' });
    expect(wrong.statusCode).toBe(403);
    await here.client.account.changePassword({ currentPassword: PASSWORD, newPassword: 'brand new secret' });
    await here.client.auth.me();
    await anonymous().auth.refresh(here.refreshToken);
    expect((await apiClient(t.app, elsewhere.accessToken).request('GET', '/users/me')).statusCode).toBe(401);
    expect((await anonymous().request('POST', '/auth/refresh', { refreshToken: elsewhere.refreshToken })).statusCode).toBe(401);
    expect((await login('rotator')).statusCode).toBe(401);
    expect((await login('rotator', 'brand new secret')).statusCode).toBe(200);
  });

  it('limits wrong current passwords like failed logins (LOGIN_RATE_LIMIT_ACCOUNT), even for the right one next', async () => {
    const user = await member('guesser');
    for (let i = 0; i < 10; i++) {
      const wrong = await user.client.request('PUT', '/account/password', { currentPassword: `guess-${i}`, newPassword: 'brand new secret' });
      expect(wrong.statusCode).toBe(403);
    }
    const limited = await user.client.request('DELETE', '/account', { password: PASSWORD });
    expect(limited.statusCode).toBe(429);
    await user.client.auth.me();
  });

  it('changes the email only once the link sent to the new address is opened', async () => {
    const user = await member('mover');
    const taken = await user.client.request('PUT', '/account/email', { email: 'ROTATOR@example.test', password: PASSWORD });
    expect(taken.statusCode).toBe(409);
    await user.client.account.changeEmail({ email: 'moved@example.test', password: PASSWORD });
    expect(await user.client.account.status()).toMatchObject({ email: 'mover@example.test', pendingEmail: 'moved@example.test' });
    const { token } = linkIn(await smtp.waitForMail('moved@example.test', /Confirm/), '/verify-email');
    await anonymous().auth.verifyEmail(token);
    expect(await user.client.account.status()).toMatchObject({ email: 'moved@example.test', emailVerified: true, pendingEmail: null });
    expect((await login('moved@example.test')).statusCode).toBe(200);
  });

  it('changes the username, unique ignoring case', async () => {
    const user = await member('oldname');
    await member('Occupied');
    const clash = await user.client.request('PUT', '/account/username', { username: 'occupied' });
    expect(clash.statusCode).toBe(409);
    expect(clash.json<ErrorBody>().error.code).toBe('username_taken');
    const bad = await user.client.request('PUT', '/account/username', { username: 'a b' });
    expect(bad.statusCode).toBe(400);
    expect((await user.client.account.changeUsername('NewName')).username).toBe('NewName');
    expect((await login('newname')).statusCode).toBe(200);
  });

  it('emails subscribers about a new video and owners about comments, from queued jobs, each switchable', async () => {
    const creator = await member('creator');
    const fan = await member('fan');
    const quiet = await member('quietfan');
    for (const viewer of [fan, quiet]) await viewer.client.channels.subscribe(creator.channelId);
    const prefs = await quiet.client.account.notifications({ emailOnNewVideos: false });
    expect(prefs.notifications).toEqual({ emailOnNewVideos: false, emailOnComments: true });

    const videoId = await insertReadyVideo(t, creator.id, { title: 'Launch day' });
    await t.services.videoEvents.videoReady(videoId);
    const mail = await smtp.waitForMail('fan@example.test', /creator uploaded: Launch day/);
    expect(mail.text).toContain(`/watch/${videoId}`);
    // The job is done once the fan's notification is marked emailed; the quiet fan's never is.
    await waitFor(
      async () =>
        (await t.infra.db.selectFrom('notifications').select('emailed_at').where('video_id', '=', videoId).where('emailed_at', 'is not', null).execute())
          .length === 1,
    );
    await t.services.videoEvents.videoReady(videoId);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.mailTo('fan@example.test').filter((m) => /Launch day/.test(m.subject))).toHaveLength(1);
    expect(smtp.mailTo('quietfan@example.test').filter((m) => /Launch day/.test(m.subject))).toHaveLength(0);

    await fan.client.comments.create(videoId, { body: 'Loved the intro!' });
    const commentMail = await smtp.waitForMail('creator@example.test', /fan commented on "Launch day"/);
    expect(commentMail.text).toContain('Loved the intro!');

    // A comment held for approval asks the owner to review it in the studio instead of pointing at the watch page.
    await creator.client.videos.update(videoId, { commentsPolicy: 'held' });
    await fan.client.comments.create(videoId, { body: 'Please approve me' });
    const heldMail = await smtp.waitForMail('creator@example.test', /fan's comment on "Launch day" is waiting for your approval/);
    expect(heldMail.text).toContain('Please approve me');
    expect(heldMail.text).toContain('/studio#held-comments');
    expect(heldMail.text).not.toContain('/watch/');
    await creator.client.videos.update(videoId, { commentsPolicy: 'on' });

    await creator.client.account.notifications({ emailOnComments: false });
    await quiet.client.comments.create(videoId, { body: 'Second!' });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(smtp.mailTo('creator@example.test').filter((m) => /commented/.test(m.subject))).toHaveLength(1);
  });

  it('exports my data as JSON with a working link to my original upload', async () => {
    const user = await member('exporter');
    const videoId = await insertReadyVideo(t, user.id, { title: 'Keep me' });
    await t.infra.storage.put(`sources/${videoId}`, Buffer.from('original bytes'));
    await t.infra.db
      .updateTable('videos')
      .set({ source_key: `sources/${videoId}`, source_filename: 'holiday.mp4' })
      .where('id', '=', videoId)
      .execute();
    await user.client.comments.create(videoId, { body: 'My own comment' });

    const response = await user.client.request('GET', '/account/export');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toContain('attachment');
    const data = response.json<AccountExport>();
    expect(data.account).toMatchObject({ id: user.id, username: 'exporter', email: 'exporter@example.test' });
    expect(data.videos).toHaveLength(1);
    expect(data.videos[0]).toMatchObject({ id: videoId, title: 'Keep me', originalFilename: 'holiday.mp4' });
    expect(data.comments.map((c) => c.body)).toEqual(['My own comment']);
    // The export hands out an absolute URL, so it is fetched as given rather than through the client's paths.
    const originalPath = new URL(data.videos[0]?.originalUrl ?? '').pathname;
    const original = await t.app.inject({ url: originalPath, headers: user.headers });
    expect(original.statusCode).toBe(200);
    expect(original.body).toBe('original bytes');
    const stranger = await member('stranger');
    expect((await t.app.inject({ url: originalPath, headers: stranger.headers })).statusCode).toBe(404);
  });

  it('deletes the account: files gone from storage, sessions revoked, counters elsewhere still exact', async () => {
    const leaver = await member('leaver');
    const other = await member('stayer');
    const videoId = await insertReadyVideo(t, leaver.id, { title: 'Goodbye' });
    const prefix = `videos/${videoId}/v1`;
    await t.infra.storage.put(`${prefix}/master.m3u8`, '#EXTM3U\n');
    await t.infra.storage.put(`${prefix}/240p_001.m4s`, Buffer.alloc(100));
    await t.infra.storage.put(`sources/${videoId}`, Buffer.from('source'));
    await t.infra.storage.put(`channels/${leaver.channelId}/avatar-x.jpg`, Buffer.from('jpeg'));
    await t.infra.db
      .updateTable('videos')
      .set({ media_prefix: prefix, source_key: `sources/${videoId}` })
      .where('id', '=', videoId)
      .execute();
    await t.infra.db
      .updateTable('channels')
      .set({ avatar_key: `channels/${leaver.channelId}/avatar-x.jpg` })
      .where('id', '=', leaver.channelId)
      .execute();
    // The leaver's footprint on someone else's content.
    const othersVideo = await insertReadyVideo(t, other.id, { title: 'Stays' });
    await leaver.client.channels.subscribe(other.channelId);
    await leaver.client.comments.create(othersVideo, { body: 'bye' });
    await other.client.comments.create(othersVideo, { body: 'stays' });

    const counted = await t.infra.db.selectFrom('videos').select('comment_count').where('id', '=', othersVideo).executeTakeFirstOrThrow();
    expect(Number(counted.comment_count)).toBe(2);

    const refused = await leaver.client.request('DELETE', '/account', { password: 'wrong' });
    expect(refused.statusCode).toBe(403);
    await leaver.client.account.delete(PASSWORD);
    expect((await leaver.client.request('GET', '/users/me')).statusCode).toBe(401);

    await waitFor(
      async () => (await t.infra.db.selectFrom('users').select('id').where('id', '=', leaver.id).executeTakeFirst()) === undefined,
      20_000,
      'the deletion job',
    );
    expect(await t.infra.storage.list(`videos/${videoId}`)).toEqual([]);
    expect(await t.infra.storage.exists(`sources/${videoId}`)).toBe(false);
    expect(await t.infra.storage.exists(`channels/${leaver.channelId}/avatar-x.jpg`)).toBe(false);
    expect(await t.infra.db.selectFrom('videos').select('id').where('user_id', '=', leaver.id).execute()).toEqual([]);
    expect((await login('leaver')).statusCode).toBe(401);

    const stays = await t.infra.db.selectFrom('videos').select('comment_count').where('id', '=', othersVideo).executeTakeFirstOrThrow();
    expect(Number(stays.comment_count)).toBe(1);
    const channel = await t.infra.db.selectFrom('channels').select('subscriber_count').where('id', '=', other.channelId).executeTakeFirstOrThrow();
    expect(Number(channel.subscriber_count)).toBe(0);
    // Nothing of the other account went with it.
    await other.client.auth.me();
  });
});
