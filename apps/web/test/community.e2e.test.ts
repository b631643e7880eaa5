/**
 * Issue #6 end to end, in Chromium against the real server (PostgreSQL, Redis, transcoding worker):
 * Alice uploads, Bob finds the video by a misspelt search, subscribes, likes, comments, replies, saves it
 * to Watch later and plays it through a playlist; history remembers where he stopped; Alice is notified,
 * moderates her comments and turns comments off; Bob is notified of her next upload; an admin handles
 * Bob's report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, serverHelperUrl, signIn, signInAsNewUser, startWebApp, uniqueName, type RunningTestApp, type WebApp } from './support/web-app.ts';

interface UploadedVideo {
  id: string;
  status: string;
  title: string;
}
interface ServerAccountHelpers {
  registerUser(app: RunningTestApp['app'], name?: string, password?: string): Promise<{ user: { id: string; username: string }; accessToken: string }>;
}
interface ServerVideoHelpers {
  uploadVideo(t: RunningTestApp, token: string, file: string, body?: Record<string, unknown>): Promise<UploadedVideo>;
}
interface ServerMediaHelpers {
  FAST_TRANSCODE_ENV: Record<string, string>;
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number }): Promise<string>;
}
interface ServerModerationFixtures {
  adminAccount(t: RunningTestApp, name?: string): Promise<{ username: string }>;
}

const HOLIDAY_TITLE = 'Holiday video in the mountains';
const SUNRISE_TITLE = 'Mountain sunrise timelapse';
/** adminAccount() registers with the server helpers' default password. */
const ADMIN_PASSWORD = 'correct horse';

let web: WebApp | undefined;
let workDir = '';
let videoHelpers: ServerVideoHelpers;
let alice: { username: string; token: string };
let holiday: UploadedVideo;
let sunriseClip = '';

function running(): WebApp {
  if (!web) throw new Error('server not started');
  return web;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-community-'));
  const media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  web = await startWebApp(media.FAST_TRANSCODE_ENV, { withWorker: true });
  const accounts = (await import(serverHelperUrl('helpers/app.ts'))) as ServerAccountHelpers;
  videoHelpers = (await import(serverHelperUrl('helpers/videos.ts'))) as ServerVideoHelpers;
  const registered = await accounts.registerUser(web.testApp.app, uniqueName('alice'), PASSWORD);
  alice = { username: registered.user.username, token: registered.accessToken };
  const [holidayClip, sunrise] = await Promise.all([
    media.makeVideo(workDir, 'holiday.mp4', { seconds: 8, width: 320, height: 180 }),
    media.makeVideo(workDir, 'sunrise.mp4', { seconds: 4, width: 320, height: 180 }),
  ]);
  sunriseClip = sunrise;
  holiday = await videoHelpers.uploadVideo(web.testApp, alice.token, holidayClip, {
    title: HOLIDAY_TITLE,
    description: 'Two weeks of hiking.',
    visibility: 'public',
    tags: ['holiday', 'mountains'],
  });
  expect(holiday.status).toBe('ready');
});

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const videoElement = (page: Page) => page.getByTestId('player-video');
const currentTime = (page: Page) => videoElement(page).evaluate((element: HTMLVideoElement) => element.currentTime);

/** Starts playback the way a person would if autoplay did not. */
async function ensurePlaying(page: Page): Promise<void> {
  await page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor();
  await expect.poll(() => videoElement(page).evaluate((element: HTMLVideoElement) => element.readyState)).toBeGreaterThan(0);
  if (await videoElement(page).evaluate((element: HTMLVideoElement) => element.paused)) {
    await videoElement(page).evaluate((element: HTMLVideoElement) => element.play());
  }
}

/** Follows a link of the side guide, opening it first where it is a drawer (the watch page) or collapsed. */
async function openFromGuide(page: Page, label: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true });
  if (!(await link.isVisible())) await page.getByRole('banner').getByRole('button', { name: 'Menu', exact: true }).click();
  await link.click();
}

function commentThread(page: Page, text: string): Locator {
  return page.locator('.comment-thread').filter({ has: page.getByTestId('comment-body').filter({ hasText: text }) });
}

/** The bell's unread count as shown, or null without a badge (never waits for one to appear). */
async function unreadBadge(page: Page): Promise<string | null> {
  const [text] = await page.getByTestId('notification-badge').allTextContents();
  return text ?? null;
}

describe('community features in Chromium', () => {
  it('lets a viewer find, subscribe, like, comment, reply, save, resume and get notified', async () => {
    const { testApp } = running();
    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signInAsNewUser(page, uniqueName('bob'));

    // Search box: suggestions as you type (even misspelt), then a misspelt search finds the video.
    const search = page.getByRole('combobox', { name: 'Search videos' });
    await search.fill('holliday');
    await page.getByRole('listbox', { name: 'Search suggestions' }).getByRole('option', { name: HOLIDAY_TITLE }).waitFor();
    await search.fill('holliday vidoe');
    await search.press('Enter');
    await page.waitForURL(/\/results\?q=holliday(%20|\+)vidoe$/);
    await page.getByTestId('search-results').getByRole('link', { name: HOLIDAY_TITLE }).waitFor();
    // Filters narrow the results and live in the URL.
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('button', { name: 'Over 20 minutes' }).click();
    await page.waitForURL(/duration=long/);
    await page.getByText('No results found').waitFor();
    await page.getByRole('button', { name: 'Under 4 minutes' }).click();
    await page.waitForURL(/duration=short/);
    await page.getByTestId('search-results').getByRole('link', { name: HOLIDAY_TITLE }).click();
    await page.waitForURL(new RegExp(`/watch/${holiday.id}$`));
    expect(await page.getByTestId('watch-title').textContent()).toBe(HOLIDAY_TITLE);

    // Watch a few seconds, then pause: the position is saved for resuming and for the history.
    await ensurePlaying(page);
    await expect.poll(() => currentTime(page), { timeout: 10_000 }).toBeGreaterThan(3.2);
    const savedPositionOf = (body: string | null) => (JSON.parse(body ?? '{}') as { positionSeconds?: number }).positionSeconds ?? 0;
    const pauseSaved = page.waitForRequest(
      (request) => request.method() === 'PUT' && request.url().endsWith(`/videos/${holiday.id}/progress`) && savedPositionOf(request.postData()) >= 3,
    );
    await page.keyboard.press('k');
    const pauseRequest = await pauseSaved;
    const savedPosition = savedPositionOf(pauseRequest.postData());
    expect((await pauseRequest.response())?.status()).toBe(204);

    // Subscribe: 0 → 1, and it stays after a reload (which also resumes where playback stopped).
    const subscriberCount = page.getByTestId('subscriber-count');
    expect(await subscriberCount.textContent()).toBe('0 subscribers');
    await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await expect.poll(() => subscriberCount.textContent()).toBe('1 subscriber');
    await page.getByRole('button', { name: 'Subscribed', exact: true }).waitFor();
    await page.getByText(/^Subscribed to /).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Subscribed', exact: true }).waitFor();
    expect(await subscriberCount.textContent()).toBe('1 subscriber');
    await page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor();
    await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(savedPosition - 0.5);

    // Alice publishes again now that Bob subscribes (transcoding runs while Bob goes on).
    const sunriseUpload = videoHelpers.uploadVideo(testApp, alice.token, sunriseClip, { title: SUNRISE_TITLE, visibility: 'public' });

    // Like: 0 → 1, pressed, and it stays.
    const likeButton = page.getByTestId('rating').getByRole('button', { name: /^Like this video/ });
    const likeCount = page.getByTestId('like-count');
    expect(await likeCount.textContent()).toBe('0');
    expect(await likeButton.getAttribute('aria-pressed')).toBe('false');
    const likeStored = page.waitForResponse((response) => response.url().endsWith(`/videos/${holiday.id}/rating`) && response.request().method() === 'PUT');
    await likeButton.click();
    await expect.poll(() => likeCount.textContent()).toBe('1');
    expect((await likeStored).status()).toBe(200);
    await page.reload();
    await expect.poll(() => likeButton.getAttribute('aria-pressed')).toBe('true');
    expect(await likeCount.textContent()).toBe('1');

    // Comment: shown at once, as text (markup stays markup-free), with its line break.
    const commentText = 'Great trip! <b>x</b>\nSee you on the next one';
    await page.getByRole('textbox', { name: 'Add a comment' }).fill(commentText);
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const commentBody = page.getByTestId('comment-body').filter({ hasText: 'Great trip!' });
    await commentBody.waitFor();
    expect(await commentBody.textContent()).toBe(commentText);
    expect(await page.getByTestId('comments').locator('b').count()).toBe(0);
    expect(await commentBody.evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('pre-wrap');
    expect(await commentBody.evaluate((element) => (element as HTMLElement).textContent)).toContain('\nSee you on the next one');
    await expect.poll(() => page.getByTestId('comment-count').textContent()).toBe('1 Comment');

    // Reply, one level deep.
    const thread = commentThread(page, 'Great trip!');
    await thread.getByRole('button', { name: 'Reply', exact: true }).first().click();
    await thread.getByRole('textbox', { name: 'Add a reply' }).fill('Thanks, it was lovely');
    await thread.getByRole('form', { name: 'Reply' }).getByRole('button', { name: 'Reply' }).click();
    await thread.getByTestId('comment-body').filter({ hasText: 'Thanks, it was lovely' }).waitFor();
    await expect.poll(() => page.getByTestId('comment-count').textContent()).toBe('2 Comments');
    await page.reload();
    await commentThread(page, 'Great trip!').getByRole('button', { name: '1 reply' }).click();
    await commentThread(page, 'Great trip!').getByTestId('comment-body').filter({ hasText: 'Thanks, it was lovely' }).waitFor();

    // Like a comment, and edit one's own.
    const ownCommentId = await page.getByTestId('comment').filter({ hasText: 'Great trip!' }).first().getAttribute('data-comment-id');
    const ownComment = page.locator(`[data-testid="comment"][data-comment-id="${ownCommentId}"]`);
    await ownComment.getByRole('button', { name: 'Like comment' }).click();
    await expect.poll(() => ownComment.getByTestId('comment-like-count').textContent()).toBe('1');
    await ownComment.getByRole('button', { name: 'Comment actions' }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await ownComment.getByRole('textbox', { name: 'Edit comment' }).fill('Great trip! Edited.');
    await ownComment.getByRole('button', { name: 'Save' }).click();
    await ownComment.getByText('(edited)').waitFor();
    expect(await ownComment.getByTestId('comment-body').textContent()).toBe('Great trip! Edited.');

    // Save to Watch later, then find it there through the guide.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const saveDialog = page.getByRole('dialog', { name: 'Save video to…' });
    await saveDialog.getByRole('checkbox', { name: 'Watch later' }).check();
    await page.getByText('Saved to Watch later').waitFor();
    // …and to a new playlist made on the spot.
    await saveDialog.getByRole('button', { name: 'Create new playlist' }).click();
    await saveDialog.getByLabel('Name', { exact: true }).fill('Trips');
    await saveDialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByText('Saved to Trips').waitFor();
    await expect.poll(() => saveDialog.getByRole('checkbox', { name: 'Trips' }).isChecked()).toBe(true);
    await saveDialog.getByRole('button', { name: 'Close' }).click();

    // Report the video (an admin handles it below).
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Report' }).click();
    const reportDialog = page.getByRole('dialog', { name: 'Report video' });
    await reportDialog.getByRole('radio', { name: 'Spam or misleading' }).check();
    await reportDialog.getByRole('button', { name: 'Report', exact: true }).click();
    await page.getByText('Thanks for reporting').waitFor();

    await openFromGuide(page, 'Watch later');
    await page.waitForURL(/\/playlist\/watch-later$/);
    await page.getByTestId('playlist-items').getByRole('link', { name: HOLIDAY_TITLE }).waitFor();

    // History lists the video, with how far it was watched; liked videos and subscriptions list it too.
    await openFromGuide(page, 'History');
    await page.getByTestId('history-list').getByRole('link', { name: HOLIDAY_TITLE }).waitFor();
    await openFromGuide(page, 'Playlists');
    await page.getByTestId('playlist-grid').getByRole('link', { name: 'Trips' }).waitFor();
    await openFromGuide(page, 'Liked videos');
    await page.getByTestId('liked-videos').getByRole('link', { name: HOLIDAY_TITLE }).waitFor();
    await openFromGuide(page, 'Subscriptions');
    await page.getByTestId('subscribed-channels').getByRole('link', { name: alice.username }).waitFor();
    await page.getByTestId('subscription-feed').getByRole('link', { name: HOLIDAY_TITLE }).waitFor();

    // The new upload reaches Bob: the bell counts it, and the notification leads to the video.
    const sunrise = await sunriseUpload;
    expect(sunrise.status).toBe('ready');
    await page.reload();
    await expect.poll(() => unreadBadge(page), { timeout: 10_000 }).toBe('1');
    await page.getByTestId('notification-button').click();
    const notification = page
      .getByTestId('notification-panel')
      .getByTestId('notification')
      .filter({ hasText: `${alice.username} uploaded: ${SUNRISE_TITLE}` });
    await notification.click();
    await page.waitForURL(new RegExp(`/watch/${sunrise.id}$`));
    await expect.poll(() => unreadBadge(page)).toBeNull();
    // Related videos: Alice's other video.
    await page.getByTestId('related-videos').getByRole('link', { name: HOLIDAY_TITLE }).waitFor();

    // A playlist of both, reordered, played through in order.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('dialog', { name: 'Save video to…' }).getByRole('checkbox', { name: 'Watch later' }).check();
    await page.getByText('Saved to Watch later').waitFor();
    await page.goto('/playlist/watch-later');
    const items = page.getByTestId('playlist-items').locator('.video-title');
    await expect.poll(() => items.allTextContents()).toEqual([HOLIDAY_TITLE, SUNRISE_TITLE]);
    const orderStored = page.waitForResponse((response) => response.url().endsWith('/order'));
    await page.getByRole('button', { name: `Move “${SUNRISE_TITLE}” up` }).click();
    await expect.poll(() => items.allTextContents()).toEqual([SUNRISE_TITLE, HOLIDAY_TITLE]);
    expect((await orderStored).status()).toBe(200);
    await page.reload();
    await expect.poll(() => items.allTextContents()).toEqual([SUNRISE_TITLE, HOLIDAY_TITLE]);
    await page.getByRole('link', { name: 'Play all' }).click();
    await page.waitForURL(new RegExp(`/watch/${sunrise.id}\\?list=`));
    const panel = page.getByTestId('playlist-panel');
    expect(await panel.locator('li[aria-current="true"]').textContent()).toContain(SUNRISE_TITLE);
    await ensurePlaying(page);
    // Skip to the last moments; when the video ends, the next one in the list plays.
    await videoElement(page).evaluate((element: HTMLVideoElement) => {
      element.currentTime = Math.max(0, element.duration - 0.5);
      void element.play();
    });
    await page.waitForURL(new RegExp(`/watch/${holiday.id}\\?list=`), { timeout: 15_000 });
    await expect.poll(() => panel.locator('li[aria-current="true"]').textContent()).toContain(HOLIDAY_TITLE);

    // The owner of the list removes a video from it.
    await page.goto('/playlist/watch-later');
    await page.getByRole('button', { name: `Remove “${HOLIDAY_TITLE}” from Watch later` }).click();
    await expect.poll(() => items.allTextContents()).toEqual([SUNRISE_TITLE]);

    // History can forget one video.
    await page.goto('/feed/history');
    await page.getByRole('button', { name: `Remove “${HOLIDAY_TITLE}” from watch history` }).click();
    await page.getByText('Removed from watch history').waitFor();
    await expect.poll(() => page.getByTestId('history-list').getByRole('link', { name: HOLIDAY_TITLE }).count()).toBe(0);
    // …pause (which the server remembers), and be cleared.
    await page.getByRole('button', { name: 'Pause watch history' }).click();
    await page.getByTestId('history-paused').waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Turn on watch history' }).waitFor();
    await page.getByRole('button', { name: 'Clear all watch history' }).click();
    await page.getByRole('dialog', { name: 'Clear watch history?' }).getByRole('button', { name: 'Clear watch history' }).click();
    await page.getByText('This list has no videos').waitFor();
    await context.close();
  });

  it('lets the uploader read notifications, moderate comments, dress the channel and turn comments off', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, alice.username);

    // Her uploads finished processing: the bell says so.
    await expect.poll(async () => Number(await unreadBadge(page))).toBeGreaterThanOrEqual(1);
    await page.getByTestId('notification-button').click();
    const panel = page.getByTestId('notification-panel');
    await panel.getByText(`Your video “${HOLIDAY_TITLE}” is ready to watch`).waitFor();
    await panel.getByRole('button', { name: 'Mark all as read' }).click();
    await expect.poll(() => unreadBadge(page)).toBeNull();
    await page.keyboard.press('Escape');

    // On her own video: no subscribe button; she may delete others' comments but not edit them.
    await page.goto(`/watch/${holiday.id}`);
    await page.getByTestId('comment-body').filter({ hasText: 'Great trip!' }).waitFor();
    expect(await page.getByRole('button', { name: 'Subscribe', exact: true }).count()).toBe(0);
    const thread = commentThread(page, 'Great trip!');
    await thread.getByRole('button', { name: '1 reply' }).click();
    const reply = thread.getByTestId('comment').filter({ hasText: 'Thanks, it was lovely' });
    await reply.getByRole('button', { name: 'Comment actions' }).click();
    expect(await page.getByRole('menuitem', { name: 'Edit' }).count()).toBe(0);
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete comment' }).getByRole('button', { name: 'Delete', exact: true }).click();
    await reply.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('comment-count').textContent()).toBe('1 Comment');

    // Channel art: a new picture shows on the channel page.
    const picture = path.join(workDir, 'avatar.png');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:s=128x128', '-frames:v', '1', picture]);
    await page.goto(`/channel/${alice.username}`);
    expect(await page.getByTestId('channel-subscriber-count').textContent()).toBe('1 subscriber');
    await page.getByRole('button', { name: 'Customize channel' }).click();
    await page.getByTestId('avatar-input').setInputFiles(picture);
    await page.getByText('Picture updated').waitFor();
    await page.getByRole('dialog', { name: 'Customize channel' }).getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.channel-header img.channel-avatar-image').waitFor();

    // A second channel, which the upload form then offers.
    const travelHandle = uniqueName('trips');
    await page.getByTestId('avatar-button').click();
    await page.getByRole('menuitem', { name: 'My channels' }).click();
    await page.getByRole('button', { name: 'Create a channel' }).click();
    const form = page.getByTestId('new-channel-form');
    await form.getByLabel('Name').fill('Alice travels');
    await form.getByLabel('Handle').fill(travelHandle);
    await form.getByRole('button', { name: 'Create channel' }).click();
    await page.waitForURL(new RegExp(`/channel/${travelHandle}$`));
    await page.getByRole('heading', { name: 'Alice travels' }).waitFor();
    await page.goto('/upload');
    await page.getByTestId('quota').waitFor();
    // Choosing the file starts the upload (to the default channel); the channel can still be changed meanwhile.
    const created = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/videos'));
    await page.getByTestId('file-input').setInputFiles(sunriseClip);
    await created;
    await page.getByTestId('upload-status').waitFor();
    const channelChoice = page.getByLabel('Channel', { exact: true });
    await expect
      .poll(() => channelChoice.locator('option').allTextContents())
      .toEqual(expect.arrayContaining([`Alice travels (@${travelHandle})`, `${alice.username} (@${alice.username})`]));
    const travelChannel = (await (await page.request.get(`/api/v1/channels/${travelHandle}`)).json()) as { id: string };
    const moved = page.waitForRequest((request) => request.method() === 'PUT' && request.url().endsWith('/channel'));
    await channelChoice.selectOption({ label: `Alice travels (@${travelHandle})` });
    expect(JSON.parse((await moved).postData() ?? '{}')).toMatchObject({ channelId: travelChannel.id });
    await page.locator('[data-testid="details-save-state"][data-state="saved"]').waitFor();

    // Comments off for the sunrise video (from Studio): viewers see that instead of the comments.
    await page.goto('/studio');
    await page.getByRole('button', { name: `Edit “${SUNRISE_TITLE}”` }).click();
    await page.getByRole('checkbox', { name: 'Allow comments' }).uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Changes saved').waitFor();
    const sunriseRow = page.getByTestId('studio-row').filter({ hasText: SUNRISE_TITLE });
    const sunriseId = (await sunriseRow.getAttribute('data-video-id')) ?? '';
    const viewer = await running().newPage();
    await viewer.page.goto(`/watch/${sunriseId}`);
    await viewer.page.getByTestId('comments-off').waitFor();
    expect(await viewer.page.getByTestId('comments-off').textContent()).toBe('Comments are turned off.');
    // Anonymous viewers are invited to sign in instead of subscribing.
    await viewer.page.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await viewer.page.getByRole('dialog', { name: 'Want to subscribe to this channel?' }).getByRole('link', { name: 'Sign in' }).waitFor();
    await viewer.context.close();
    await context.close();
  });

  it('shows reports to admins, who resolve them', async () => {
    const moderation = (await import(serverHelperUrl('discovery/fixtures.ts'))) as ServerModerationFixtures;
    const admin = await moderation.adminAccount(running().testApp, uniqueName('mod'));
    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, admin.username, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    const report = page.getByTestId('report').filter({ hasText: HOLIDAY_TITLE });
    await report.getByText('Spam or misleading').waitFor();
    await report.getByRole('button', { name: 'Dismiss' }).click();
    await report.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Resolved' }).click();
    await page.getByTestId('report').filter({ hasText: HOLIDAY_TITLE }).getByText('Resolved: dismissed').waitFor();
    await context.close();
  });
});
