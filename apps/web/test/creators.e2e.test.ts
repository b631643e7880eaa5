/**
 * Issue #16 (creators) end to end, in Chromium against the real server: a scheduled video stays invisible to a
 * viewer until its time and then appears; a custom thumbnail uploaded in the studio appears on the video's card;
 * a real playback's beacons show up in the studio analytics with the watch time the browser played; a channel's
 * analytics page shows the numbers the API reports for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeaconBatch, ChannelAnalytics } from '@tube/shared';
import { formatWatchTime } from '../src/lib/creator-format.ts';
import { formatPercent } from '../src/lib/format.ts';
import { PASSWORD, screenshot, serverHelperUrl, signIn, startWebApp, uniqueName, type RunningTestApp, type WebApp } from './support/web-app.ts';

interface UploadedVideo {
  id: string;
  status: string;
  title: string;
}
interface FullTestApp extends RunningTestApp {
  infra: unknown;
  services: { videos: unknown };
}
interface ServerHelpers {
  registerUser(app: RunningTestApp['app'], name?: string, password?: string): Promise<{ user: { id: string; username: string }; accessToken: string }>;
  uploadVideo(t: RunningTestApp, token: string, file: string, body?: Record<string, unknown>): Promise<UploadedVideo>;
  insertReadyVideo(t: RunningTestApp, userId: string, fields: { title: string; channelId: string }): Promise<string>;
  FAST_TRANSCODE_ENV: Record<string, string>;
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number }): Promise<string>;
  startWorker(infra: unknown, jobs: unknown[]): Promise<() => Promise<void>>;
  publishingJobs(videos: unknown): unknown[];
}

let web: WebApp | undefined;
let workDir = '';
let helpers: ServerHelpers;
let stopPublisher: (() => Promise<void>) | null = null;
let creator: { id: string; username: string; token: string };
let clip = '';

function running(): WebApp {
  if (!web) throw new Error('server not started');
  return web;
}

async function load<T>(relative: string): Promise<T> {
  return (await import(serverHelperUrl(relative))) as T;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-creators-'));
  const media = await load<Pick<ServerHelpers, 'FAST_TRANSCODE_ENV' | 'makeVideo'>>('helpers/media.ts');
  web = await startWebApp(media.FAST_TRANSCODE_ENV, { withWorker: true });
  const worker = await load<Pick<ServerHelpers, 'startWorker'>>('../src/worker/worker.ts');
  const publishing = await load<Pick<ServerHelpers, 'publishingJobs'>>('../src/videos/publishing.jobs.ts');
  const testApp = web.testApp as FullTestApp;
  stopPublisher = await worker.startWorker(testApp.infra, publishing.publishingJobs(testApp.services.videos));
  helpers = {
    ...(await load<Pick<ServerHelpers, 'registerUser'>>('helpers/app.ts')),
    ...(await load<Pick<ServerHelpers, 'uploadVideo' | 'insertReadyVideo'>>('helpers/videos.ts')),
    ...media,
    ...worker,
    ...publishing,
  };
  const registered = await helpers.registerUser(web.testApp.app, uniqueName('maker'), PASSWORD);
  creator = { id: registered.user.id, username: registered.user.username, token: registered.accessToken };
  clip = await media.makeVideo(workDir, 'clip.mp4', { seconds: 6, width: 320, height: 180 });
});

afterAll(async () => {
  await stopPublisher?.();
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function openEditor(page: Page, title: string) {
  await page.goto('/studio');
  await page.getByRole('button', { name: `Edit “${title}”` }).click();
  return page.getByTestId('edit-video-form');
}

/** `datetime-local` value (seconds precision) in the browser's own time zone. */
async function localInputValue(page: Page, epochMs: number): Promise<string> {
  return page.evaluate((at) => {
    const date = new Date(at);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  }, epochMs);
}

describe('creators', () => {
  it('keeps a scheduled video invisible to viewers until its time, then publishes it', async () => {
    const title = `Premiere ${uniqueName('p')}`;
    const video = await helpers.uploadVideo(running().testApp, creator.token, clip, { title, visibility: 'private' });
    expect(video.status).toBe('ready');
    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, creator.username);
    const form = await openEditor(page, title);
    await form.getByLabel('Publishing').selectOption('schedule');
    const publishAt = Date.now() + 12_000;
    await form.getByLabel('Publish at').fill(await localInputValue(page, publishAt));
    await form.getByLabel('Visibility').selectOption('public');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Changes saved').waitFor();
    const row = page.getByTestId('studio-row').filter({ hasText: title });
    expect(await row.getByTestId('publishing-state').textContent()).toMatch(/Scheduled/);

    // The owner sees a premiere card on the channel page; a viewer sees nothing of it anywhere.
    await page.goto(`/channel/${creator.username}`);
    await page.getByTestId('scheduled-card').filter({ hasText: title }).waitFor();
    const viewer = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await viewer.page.goto(`/channel/${creator.username}`);
    await viewer.page.getByRole('heading', { name: creator.username }).first().waitFor();
    await viewer.page.waitForTimeout(500);
    expect(await viewer.page.getByText(title).count()).toBe(0);
    expect(await viewer.page.getByTestId('scheduled-videos').count()).toBe(0);
    await viewer.page.goto(`/results?search_query=${encodeURIComponent(title)}`);
    await viewer.page.waitForTimeout(1000);
    expect(await viewer.page.getByRole('link', { name: title }).count()).toBe(0);
    const early = await viewer.page.request.get(`/api/v1/videos/${video.id}`);
    expect(early.status()).toBe(404);

    // At its time the worker publishes it and the viewer finds it on the channel page.
    await viewer.page.waitForTimeout(Math.max(0, publishAt - Date.now()));
    await expect.poll(async () => (await viewer.page.request.get(`/api/v1/videos/${video.id}`)).status(), { timeout: 20_000, interval: 500 }).toBe(200);
    await viewer.page.goto(`/channel/${creator.username}`);
    await viewer.page.getByText(title).first().waitFor();
    await viewer.context.close();
    await context.close();
  });

  it('shows an uploaded custom thumbnail on the video’s card', async () => {
    const title = `Thumbnail ${uniqueName('t')}`;
    const video = await helpers.uploadVideo(running().testApp, creator.token, clip, { title, visibility: 'public' });
    expect(video.status).toBe('ready');
    const image = path.join(workDir, 'thumb.png');
    await sharp({ create: { width: 640, height: 360, channels: 3, background: '#ff0000' } })
      .png()
      .toFile(image);

    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, creator.username);
    const form = await openEditor(page, title);
    const before = await form.getByTestId('current-thumbnail').getAttribute('src');
    await form.getByTestId('thumbnail-file').setInputFiles(image);
    await expect.poll(() => form.getByTestId('current-thumbnail').getAttribute('src')).toMatch(/\/thumb-[0-9a-f]{12}\.jpg$/);
    const after = await form.getByTestId('current-thumbnail').getAttribute('src');
    expect(after).not.toBe(before);

    const viewer = await running().newPage();
    await viewer.page.goto(`/channel/${creator.username}`);
    const card = viewer.page.locator('article, li, a').filter({ hasText: title }).locator('img').first();
    await expect.poll(() => card.getAttribute('src'), { timeout: 15_000 }).toBe(after);
    // The image the card shows is the re-encoded red picture.
    const served = await viewer.page.request.get(after!);
    expect(served.headers()['content-type']).toBe('image/jpeg');
    const { data } = await sharp(Buffer.from(await served.body()))
      .extract({ left: 640, top: 360, width: 1, height: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(200);
    await viewer.context.close();
    await context.close();
  });

  it('shows the size limit before the upload, preselects the channel it was started from, and saves details edited after the transfer started', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, creator.username);
    const second = await page.request.post('/api/v1/channels', {
      headers: { authorization: `Bearer ${creator.token}` },
      data: { handle: uniqueName('side'), name: 'Side channel' },
    });
    expect(second.status()).toBe(201);
    const side = (await second.json()) as { id: string; handle: string };
    await page.goto(`/channel/${side.handle}`);
    await page.locator('.channel-header').getByRole('link', { name: 'Upload a video' }).click();
    await page.waitForURL(new RegExp(`/upload\\?channel=${side.id}$`));
    await page.getByTestId('upload-size-limit').waitFor();
    expect(await page.getByTestId('upload-size-limit').textContent()).toMatch(/^Files up to \d/);
    const created = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/videos'));
    await page.getByTestId('file-input').setInputFiles(clip);
    await expect.poll(() => page.getByLabel('Channel', { exact: true }).inputValue()).toBe(side.id);
    expect(JSON.parse((await created).postData() ?? '{}')).toMatchObject({ channelId: side.id });
    const videoId = ((await (await (await created).response())!.json()) as { id: string }).id;
    await page.getByTestId('upload-status').waitFor();
    await page.getByLabel('Title (required)').fill('Renamed while uploading');
    await page.getByTestId('save-details').click();
    await page.getByText('Details saved').waitFor();
    const saved = (await (await page.request.get(`/api/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${creator.token}` } })).json()) as {
      title: string;
      channel: { id: string };
    };
    expect(saved).toMatchObject({ title: 'Renamed while uploading', channel: { id: side.id } });
    await context.close();
  });

  it('turns a real playback’s beacons into analytics with the watch time that was played', async () => {
    const title = `Measured ${uniqueName('m')}`;
    const video = await helpers.uploadVideo(running().testApp, creator.token, clip, { title, visibility: 'public' });
    expect(video.status).toBe('ready');

    const viewer = await running().newPage({ viewport: { width: 1280, height: 800 } });
    const beacons: string[] = [];
    viewer.page.on('request', (request) => {
      if (request.url().endsWith('/api/v1/analytics/beacons')) beacons.push(request.postData() ?? '');
    });
    await viewer.page.goto(`/watch/${video.id}`);
    const element = viewer.page.getByTestId('player-video');
    await viewer.page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor();
    await expect.poll(() => element.evaluate((node: HTMLVideoElement) => node.readyState), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await element.evaluate((node: HTMLVideoElement) => {
      node.muted = true;
      return node.play();
    });
    await expect.poll(() => element.evaluate((node: HTMLVideoElement) => node.currentTime), { timeout: 15_000 }).toBeGreaterThan(3);
    await element.evaluate((node: HTMLVideoElement) => node.pause());
    const played = await element.evaluate((node: HTMLVideoElement) => {
      let total = 0;
      for (let i = 0; i < node.played.length; i++) total += node.played.end(i) - node.played.start(i);
      return total;
    });
    await expect.poll(() => beacons.some((body) => body.includes('"heartbeat"')), { timeout: 10_000 }).toBe(true);
    expect(beacons.some((body) => body.includes('"start"'))).toBe(true);
    await viewer.context.close();

    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 1000 } });
    await signIn(page, creator.username);
    await page.goto('/studio');
    await page.getByTestId('studio-row').filter({ hasText: title }).getByRole('link', { name: 'Analytics', exact: true }).click();
    await page.getByTestId('video-analytics').waitFor();
    await expect.poll(() => page.getByTestId('total-views').textContent(), { timeout: 20_000 }).toBe('1');
    const report = (await (
      await page.request.get(`/api/v1/studio/videos/${video.id}/analytics?days=28`, { headers: { authorization: `Bearer ${creator.token}` } })
    ).json()) as {
      totals: { watchSeconds: number; medianTtffMs: number | null };
      retention: { second: number; share: number }[];
    };
    expect(Math.abs(report.totals.watchSeconds - played)).toBeLessThan(1);
    expect(report.totals.medianTtffMs).not.toBeNull();
    expect(report.retention[0]?.share).toBe(1);
    expect(report.retention.at(-1)?.share).toBe(0);
    expect(await page.getByTestId('total-watch-time').textContent()).toMatch(/^\d+ s$/);
    await page.getByTestId('chart-retention').waitFor();
    await page.getByTestId('chart-daily-views').waitFor();
    await screenshot(page, 'creators-analytics');
    await page.goto('/studio');
    await page.getByTestId('studio-row').filter({ hasText: title }).waitFor();
    await screenshot(page, 'creators-studio');
    await context.close();
  });

  it('shows on the channel analytics page the totals, days, top videos, sources and devices the API reports', async () => {
    const auth = { authorization: `Bearer ${creator.token}` };
    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 1400 } });
    // A channel of its own, so the other tests' views do not count here.
    const created = await page.request.post('/api/v1/channels', { headers: auth, data: { handle: uniqueName('stats'), name: 'Stats channel' } });
    expect(created.status()).toBe(201);
    const channel = (await created.json()) as { id: string; handle: string };
    const popular = await helpers.insertReadyVideo(running().testApp, creator.id, { title: `Popular ${uniqueName('a')}`, channelId: channel.id });
    const quieter = await helpers.insertReadyVideo(running().testApp, creator.id, { title: `Quieter ${uniqueName('b')}`, channelId: channel.id });

    // Three viewers (told apart by their browsers): two watch the popular video, one the quieter.
    const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36';
    const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1';
    const TABLET = 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1';
    const send = async (userAgent: string, batch: BeaconBatch) => {
      const response = await page.request.post('/api/v1/analytics/beacons', { headers: { 'user-agent': userAgent }, data: batch });
      expect(response.status(), await response.text()).toBe(202);
    };
    const session = () => `${uniqueName('session')}0123456789`;
    await send(DESKTOP, {
      videoId: popular,
      sessionId: session(),
      events: [
        { type: 'start', source: 'search' },
        { type: 'ttff', ms: 400 },
        { type: 'heartbeat', watchedSeconds: 20, ranges: [[0, 20]], rendition: '240p' },
      ],
    });
    await send(PHONE, {
      videoId: popular,
      sessionId: session(),
      events: [
        { type: 'start', source: 'direct' },
        { type: 'ttff', ms: 900 },
        { type: 'heartbeat', watchedSeconds: 10, ranges: [[0, 10]], rendition: '144p' },
        { type: 'rebuffer', seconds: 2 },
        { type: 'error', code: 'media_error' },
      ],
    });
    await send(TABLET, {
      videoId: quieter,
      sessionId: session(),
      events: [
        { type: 'start', source: 'embed' },
        { type: 'heartbeat', watchedSeconds: 6, ranges: [[0, 6]], rendition: '240p' },
      ],
    });

    const report = async (days: number) => {
      const response = await page.request.get(`/api/v1/studio/channels/${channel.handle}/analytics?days=${days}`, { headers: auth });
      expect(response.status()).toBe(200);
      return (await response.json()) as ChannelAnalytics;
    };
    const month = await report(28);
    expect(month.totals).toMatchObject({ views: 3, watchSeconds: 36, averageViewSeconds: 12 });
    expect(month.topVideos.map((video) => [video.id, video.views, video.watchSeconds])).toEqual([
      [popular, 2, 30],
      [quieter, 1, 6],
    ]);

    await signIn(page, creator.username);
    await page.goto(`/studio/analytics/channel/${channel.handle}`);
    await page.getByTestId('channel-analytics').waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: `Channel analytics: @${channel.handle}` }).waitFor();
    expect(await page.getByTestId('total-views').textContent()).toBe('3');
    expect(await page.getByTestId('total-watch-time').textContent()).toBe(formatWatchTime(month.totals.watchSeconds));
    expect(await page.getByTestId('total-average-view').textContent()).toBe(formatWatchTime(month.totals.averageViewSeconds));
    expect(month.totals.medianTtffMs).not.toBeNull();
    expect(await page.getByTestId('total-ttff').textContent()).toBe(`${Math.round(month.totals.medianTtffMs!)} ms`);
    expect(month.totals.rebufferRatio).toBeGreaterThan(0);
    expect(await page.getByTestId('total-rebuffer').textContent()).toBe(formatPercent(month.totals.rebufferRatio));
    expect(month.totals.errorRate).toBeGreaterThan(0);
    expect(await page.getByTestId('total-errors').textContent()).toBe(formatPercent(month.totals.errorRate));

    expect(month.daily).toHaveLength(28);
    expect(month.daily.reduce((sum, point) => sum + point.views, 0)).toBe(3);
    expect(month.daily.reduce((sum, point) => sum + point.watchSeconds, 0)).toBe(36);
    const dailyViews = page.getByRole('img', { name: 'Channel views per day over the last 28 days' });
    expect(await dailyViews.getAttribute('data-points')).toBe(month.daily.map((point) => point.views).join(','));
    const dailyWatch = page.getByRole('img', { name: 'Channel watch time per day over the last 28 days' });
    expect(await dailyWatch.getAttribute('data-points')).toBe(month.daily.map((point) => point.watchSeconds).join(','));

    const topVideos = page.locator('.analytics-card').filter({ has: page.getByRole('heading', { name: 'Top videos' }) });
    expect(await topVideos.getByRole('listitem').allTextContents()).toEqual(
      month.topVideos.map((video) => `${video.title} — ${video.views} views, ${formatWatchTime(video.watchSeconds)}`),
    );
    expect(await topVideos.getByRole('link').first().getAttribute('href')).toBe(`/studio/analytics/${popular}`);

    const shares = (label: string) =>
      page
        .getByRole('list', { name: label })
        .locator('li')
        .evaluateAll((items) => items.map((item) => ({ name: item.getAttribute('data-name'), share: Number(item.getAttribute('data-share')) })));
    expect(month.sources.map((source) => source.name).sort()).toEqual(['direct', 'embed', 'search']);
    expect(await shares('Traffic sources')).toEqual(month.sources.map(({ name, share }) => ({ name, share })));
    expect(month.devices.map((device) => device.name).sort()).toEqual(['desktop', 'mobile', 'tablet']);
    expect(await shares('Devices')).toEqual(month.devices.map(({ name, share }) => ({ name, share })));
    await screenshot(page, 'creators-channel-analytics');

    // Another period asks the API again and redraws the days.
    await page.getByLabel('Period').selectOption('7');
    const week = await report(7);
    expect(week.daily).toHaveLength(7);
    const weekViews = page.getByRole('img', { name: 'Channel views per day over the last 7 days' });
    await expect.poll(() => weekViews.getAttribute('data-points'), { timeout: 20_000 }).toBe(week.daily.map((point) => point.views).join(','));
    expect(await page.getByTestId('total-views').textContent()).toBe(String(week.totals.views));
    await context.close();
  });
});
