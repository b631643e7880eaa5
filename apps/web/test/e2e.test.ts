/**
 * End to end: the real API server (PostgreSQL, Redis, transcoding worker) serving the built web
 * app, driven by headless Chromium.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeClip,
  PASSWORD,
  playPast,
  screenshot,
  settled,
  signInAsNewUser,
  startWebApp,
  uniqueName,
  uploadThroughPage,
  type WebApp,
} from './support/web-app.ts';

let web: WebApp | undefined;
let baseUrl = '';
let workDir = '';

function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  if (!web) throw new Error('browser not started');
  return web.newPage(options);
}

/** The refresh token the app keeps in IndexedDB (see src/api/token-store.ts). */
function readStoredRefreshToken(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      new Promise<string | null>((resolve, reject) => {
        const opening = indexedDB.open('tube-auth', 1);
        opening.onupgradeneeded = () => opening.result.createObjectStore('tokens');
        opening.onerror = () => reject(opening.error);
        opening.onsuccess = () => {
          const reading = opening.result.transaction('tokens').objectStore('tokens').get('refresh');
          reading.onerror = () => reject(reading.error);
          reading.onsuccess = () => {
            opening.result.close();
            resolve(typeof reading.result === 'string' ? reading.result : null);
          };
        };
      }),
  );
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-e2e-'));
  // On embedded defaults, as `npm start` runs on a fresh machine: embedded PostgreSQL, in-process cache, fs storage.
  web = await startWebApp({ TRANSCODE_MAX_HEIGHT: '240', X264_PRESET: 'ultrafast', SEGMENT_SECONDS: '1' }, { withWorker: true, embeddedDefaults: true });
  baseUrl = web.baseUrl;
});

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('web app in Chromium', () => {
  it('registers, stays signed in across reloads, signs out, signs in again and lists sessions', async () => {
    const { context, page } = await newPage();
    const username = uniqueName('e2e');
    const authRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/auth/register')) authRequests.push(request.url());
    });

    await page.goto('/');
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/signin/);
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.waitForURL(/\/register/);

    // Client-side validation mirrors the server and sends nothing.
    await page.getByLabel('Username').fill('ab');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByText('Use 3 to 32 characters.').isVisible()).toBe(true);
    expect(await page.getByText('Use at least 8 characters.').isVisible()).toBe(true);
    expect(await page.getByText('Enter a valid email address.').isVisible()).toBe(true);
    expect(authRequests).toHaveLength(0);

    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(`${username}@example.test`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${baseUrl}/`);
    const avatar = page.getByTestId('avatar-button');
    await avatar.waitFor();
    expect(authRequests).toHaveLength(1);

    await avatar.click();
    const menu = page.getByRole('menu', { name: 'Account' });
    for (const item of ['Your channel', 'Tube Studio', 'Sessions', 'Sign out']) {
      expect(await menu.getByRole('menuitem', { name: item }).isVisible(), item).toBe(true);
    }
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    // A reload keeps the session: the refresh token (rotated on each use) restores it.
    const tokenBeforeReload = await readStoredRefreshToken(page);
    await page.reload();
    await avatar.waitFor();
    const tokenAfterReload = await readStoredRefreshToken(page);
    expect(tokenAfterReload).toBeTruthy();
    expect(tokenAfterReload).not.toBe(tokenBeforeReload);

    await avatar.click();
    await page.getByRole('menuitem', { name: 'Sessions' }).click();
    await page.waitForURL(/\/settings\/sessions$/);
    const sessions = page.getByTestId('session-list').locator('li');
    await sessions.first().waitFor();
    expect(await sessions.count()).toBe(1);
    expect(await sessions.first().textContent()).toContain('This device');
    expect(await sessions.first().textContent()).toContain('Headless Chrome on Linux');

    await avatar.click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await readStoredRefreshToken(page)).toBeNull();

    // Server errors are shown as the server words them.
    await page.goto('/register');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(`other-${username}@example.test`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('That username is taken').waitFor();

    await page.goto('/signin?next=%2Fsettings%2Fsessions');
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong username/email or password').waitFor();

    await page.getByLabel('Username or email').fill(`${username}@example.test`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/settings\/sessions$/);
    await sessions.first().waitFor();
    // Signing out ended the first session, so only this one is left.
    expect(await sessions.count()).toBe(1);
    expect(await sessions.first().textContent()).toContain('This device');

    // Two more devices: sign one out, then all others.
    for (let device = 0; device < 2; device += 1) {
      const login = await page.request.post('/api/v1/auth/login', { data: { login: username, password: PASSWORD } });
      expect(login.status()).toBe(200);
    }
    await page.reload();
    await expect.poll(() => sessions.count()).toBe(3);
    await sessions.filter({ hasNotText: 'This device' }).first().getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => sessions.count()).toBe(2);
    await page.getByRole('button', { name: /Sign out all other devices/ }).click();
    await expect.poll(() => sessions.count()).toBe(1);
    expect(await sessions.first().textContent()).toContain('This device');

    // Pages that need an account send signed-out visitors to sign in and back.
    await avatar.click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto('/studio');
    await page.waitForURL(/\/signin\?next=%2Fstudio$/);
    await context.close();
  });

  it('keeps one session alive when two tabs restore it at the same moment', async () => {
    const { context, page: firstTab } = await newPage();
    await signInAsNewUser(firstTab, uniqueName('tabs'));
    const secondTab = await context.newPage();
    await secondTab.goto('/');
    await secondTab.getByTestId('avatar-button').waitFor();

    // Both tabs spend the shared refresh token on load; without coordination one would replay
    // it and the server would revoke the session.
    for (let round = 0; round < 3; round += 1) {
      await Promise.all([firstTab.reload(), secondTab.reload()]);
      await Promise.all([firstTab.getByTestId('avatar-button').waitFor(), secondTab.getByTestId('avatar-button').waitFor()]);
    }
    await firstTab.reload();
    await firstTab.getByTestId('avatar-button').waitFor();
    const refresh = await firstTab.request.post('/api/v1/auth/refresh', { data: { refreshToken: await readStoredRefreshToken(firstTab) } });
    expect(refresh.status()).toBe(200);
    await context.close();
  });

  it('is an installable PWA whose service worker leaves the API alone', async () => {
    const { context, page } = await newPage();
    await page.goto('/');
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBe('/manifest.webmanifest');
    const manifestResponse = await page.request.get(manifestHref ?? '');
    expect(manifestResponse.status()).toBe(200);
    const manifest = (await manifestResponse.json()) as { name: string; start_url: string; display: string; icons: Array<{ src: string; sizes: string }> };
    expect(manifest).toMatchObject({ name: 'Tube', start_url: '/', display: 'standalone' });
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) {
      const iconResponse = await page.request.get(icon.src);
      expect(iconResponse.status(), icon.src).toBe(200);
      expect(iconResponse.headers()['content-type']).toContain('image/png');
    }

    const scriptUrl = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
    expect(scriptUrl).toBe(`${baseUrl}/sw.js`);

    // Once the worker controls the page, deep links still get the app and the API still gets the server.
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    const apiAnswer = await page.evaluate(async () => {
      const response = await fetch('/api/v1/users/me');
      return { status: response.status, type: response.headers.get('content-type') };
    });
    expect(apiAnswer.status).toBe(401);
    expect(apiAnswer.type).toContain('application/json');
    const openApi = await page.goto('/api/openapi.json');
    expect(openApi?.headers()['content-type']).toContain('application/json');
    await page.goto('/no/such/page');
    await page.getByText("This page isn't available").waitFor();
    await context.close();
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    const { context, page } = await newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    for (const route of ['/', '/signin', '/register', '/results?q=cats']) {
      await page.goto(route);
      await settled(page);
      expect(await overflow(), route).toBeLessThanOrEqual(0);
    }

    await signInAsNewUser(page, uniqueName('phone'));
    for (const route of [
      '/',
      '/settings/sessions',
      '/studio',
      '/upload',
      '/feed/subscriptions',
      '/feed/library',
      '/feed/history',
      '/feed/playlists',
      '/playlist/watch-later',
      '/channels/mine',
    ]) {
      await page.goto(route);
      await settled(page);
      expect(await overflow(), route).toBeLessThanOrEqual(0);
    }

    // Phone layout: bottom navigation instead of the side rail, search behind a button.
    expect(await page.getByRole('navigation', { name: 'Shortcuts' }).isVisible()).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Search videos' }).isVisible()).toBe(false);
    await page.getByRole('banner').getByRole('button', { name: 'Search' }).click();
    const search = page.getByRole('combobox', { name: 'Search videos' });
    await search.fill('cats');
    await search.press('Enter');
    await page.waitForURL(/\/results\?q=cats$/);
    await page.getByText('No results found').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('resumes an upload interrupted by a page reload from where it stopped', async () => {
    // Noise compresses badly: about 10 MB, so more than one 8 MiB tus chunk.
    const clip = await makeClip(workDir, 'resumable.mp4', { width: 640, height: 360, seconds: 1.2, incompressible: true });
    const CHUNK_BYTES = 8 * 1024 * 1024;

    const { context, page } = await newPage();
    await signInAsNewUser(page, uniqueName('resumer'));
    const network = await context.newCDPSession(page);
    await network.send('Network.enable');
    // Slow the upload down enough to reload between the first and the second chunk.
    await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 3_000_000 });

    await page.goto('/upload');
    const firstChunkStored = page.waitForResponse(
      (response) => response.request().method() === 'PATCH' && response.url().includes('/api/v1/uploads/') && response.status() === 204,
    );
    // Choosing the file starts the upload; the title typed meanwhile is saved to the video.
    await page.getByTestId('file-input').setInputFiles(clip);
    await page.locator('[data-testid="upload-status"][data-phase="uploading"]').waitFor();
    await page.getByLabel('Title (required)').fill('Resumed clip');
    await page.locator('[data-testid="details-save-state"][data-state="saved"]').waitFor();
    await firstChunkStored;
    page.on('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    // The page remembers the unfinished upload; picking the same file continues it.
    await page.getByRole('heading', { name: 'Unfinished uploads' }).waitFor();
    expect(await page.locator('.unfinished-uploads').getByText('resumable', { exact: true }).isVisible()).toBe(true);
    const uploadRequests: Array<{ method: string; url: string; offset: string | undefined }> = [];
    page.on('request', (request) => {
      const url = request.url();
      if (url.includes('/api/v1/uploads') || (url.endsWith('/api/v1/videos') && request.method() === 'POST')) {
        uploadRequests.push({ method: request.method(), url, offset: request.headers()['upload-offset'] });
      }
    });
    await page.getByTestId('file-input').setInputFiles(clip);
    await page.getByTestId('resume-note').waitFor();
    expect(await page.getByLabel('Title (required)').inputValue()).toBe('Resumed clip');
    await page.getByRole('button', { name: 'Resume upload' }).click();
    await page.locator('[data-testid="upload-status"][data-phase="processing"]').waitFor();

    expect(uploadRequests.filter((request) => request.method === 'POST')).toEqual([]);
    expect(uploadRequests[0]?.method).toBe('HEAD');
    const firstPatch = uploadRequests.find((request) => request.method === 'PATCH');
    expect(Number(firstPatch?.offset)).toBeGreaterThanOrEqual(CHUNK_BYTES);

    // Studio shows it once; deleting it asks for confirmation and removes it.
    await page.goto('/studio');
    const rows = page.getByTestId('studio-row').filter({ hasText: 'Resumed clip' });
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await rows.getByRole('button', { name: 'Delete “Resumed clip”' }).click();
    await page.getByRole('dialog', { name: 'Delete video?' }).getByRole('button', { name: 'Delete forever' }).click();
    await rows.first().waitFor({ state: 'detached' });
    await context.close();
  });

  it('uploads a video with tus, shows processing in Studio, then plays it with selectable qualities', async () => {
    const clip = await makeClip(workDir, 'small.mp4', { width: 426, height: 240, seconds: 6 });

    const { context, page } = await newPage({ viewport: { width: 1280, height: 800 } });
    const uploader = uniqueName('uploader');
    await signInAsNewUser(page, uploader);

    await page.goto('/upload');
    await screenshot(page, 'upload');
    const tusRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/uploads')) tusRequests.push(`${request.method()} ${request.headers()['tus-resumable'] ?? ''}`);
    });
    // The upload starts as the file is chosen; the details are edited while (or after) it goes up.
    await uploadThroughPage(page, clip, { title: 'E2E clip', description: 'Uploaded by the browser test', visibility: 'public' });
    expect(tusRequests).toEqual(expect.arrayContaining(['POST 1.0.0', 'PATCH 1.0.0']));

    // Studio lists the video and follows it from processing to ready.
    await page.getByRole('link', { name: 'Go to Studio' }).click();
    const row = page.getByTestId('studio-row').filter({ hasText: 'E2E clip' });
    await row.waitFor();
    const seenStatuses = new Set<string>();
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      const status = (await row.getAttribute('data-status')) ?? '';
      seenStatuses.add(status);
      if (status === 'ready' || status === 'failed') break;
      await page.waitForTimeout(200);
    }
    expect(await row.getAttribute('data-status')).toBe('ready');
    await screenshot(page, 'studio');
    expect([...seenStatuses].some((status) => status === 'queued' || status === 'processing' || status === 'playable')).toBe(true);
    expect(await row.locator('[data-status="ready"]').textContent()).toBe('Ready');

    const videoId = (await row.getAttribute('data-video-id')) ?? '';
    const video = (await (await page.request.get(`/api/v1/videos/${videoId}`)).json()) as { renditions: Array<{ name: string }> };
    expect(video.renditions.length).toBeGreaterThanOrEqual(2);

    const viewReported = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith(`/api/v1/videos/${videoId}/views`), {
      timeout: 20_000,
    });
    await row.getByRole('link', { name: 'E2E clip' }).click();
    await page.waitForURL(`${baseUrl}/watch/${videoId}`);
    expect(await page.getByTestId('watch-title').textContent()).toBe('E2E clip');

    const player = page.getByTestId('player');
    await page.locator(`[data-testid="player"][data-engine="hls.js"][data-levels="${video.renditions.length}"]`).waitFor({ timeout: 15_000 });
    const videoElement = page.getByTestId('player-video');
    await playPast(page, 0.3);
    const before = await videoElement.evaluate((element: HTMLVideoElement) => element.currentTime);
    await expect.poll(() => videoElement.evaluate((element: HTMLVideoElement) => element.currentTime)).toBeGreaterThan(before + 0.3);
    await screenshot(page, 'watch');

    // Quality menu: Auto plus one entry per rendition; picking one switches hls.js to it.
    // (Controls hide while the video plays; moving the pointer over the player shows them, as for a person.)
    await player.hover();
    await page.getByTestId('quality-button').click();
    const qualityMenu = page.getByTestId('quality-menu');
    const items = qualityMenu.getByRole('menuitemradio');
    expect(await items.count()).toBe(video.renditions.length + 1);
    const labels = await items.allTextContents();
    for (const rendition of video.renditions) expect(labels.some((label) => label.startsWith(rendition.name))).toBe(true);
    expect(labels.at(-1)).toMatch(/^Auto/);

    const playingLevel = Number(await player.getAttribute('data-current-level'));
    const otherItem = qualityMenu.locator(`[role="menuitemradio"]:not([data-level="-1"]):not([data-level="${playingLevel}"])`).first();
    const targetLevel = Number(await otherItem.getAttribute('data-level'));
    expect(targetLevel).not.toBe(playingLevel);
    // The clip is short: rewind so there is video left to play at the new quality.
    await videoElement.evaluate((element: HTMLVideoElement) => {
      element.currentTime = 0;
      void element.play();
    });
    await otherItem.click();
    await page.locator(`[data-testid="player"][data-selected-level="${targetLevel}"][data-current-level="${targetLevel}"]`).waitFor({ timeout: 10_000 });

    await player.hover();
    await page.getByTestId('quality-button').click();
    await qualityMenu.locator('[data-level="-1"]').click();
    expect(await player.getAttribute('data-selected-level')).toBe('-1');

    // Keyboard shortcuts: k pauses and resumes, m mutes.
    const paused = () => videoElement.evaluate((element: HTMLVideoElement) => element.paused);
    await videoElement.evaluate((element: HTMLVideoElement) => {
      element.currentTime = 0;
      void element.play();
    });
    await expect.poll(paused).toBe(false);
    await page.keyboard.press('k');
    await expect.poll(paused).toBe(true);
    await page.keyboard.press('k');
    await expect.poll(paused).toBe(false);
    await page.keyboard.press('m');
    expect(await videoElement.evaluate((element: HTMLVideoElement) => element.muted)).toBe(true);

    await viewReported;

    // The video shows on its channel page and, where the server can search, in search results.
    await page.locator('.watch-channel-link').click();
    await page.waitForURL(/\/channel\/uploader/);
    await page.getByTestId('video-card').filter({ hasText: 'E2E clip' }).waitFor();
    await screenshot(page, 'channel');
    await page.goto('/');
    await page.getByTestId('video-card').filter({ hasText: 'E2E clip' }).first().waitFor();
    await screenshot(page, 'home');
    await page.getByRole('combobox', { name: 'Search videos' }).fill('E2E clip');
    await page.getByRole('combobox', { name: 'Search videos' }).press('Enter');
    await page.getByTestId('video-row').filter({ hasText: 'E2E clip' }).waitFor();
    await context.close();

    // Access: an unlisted video plays from its link for a signed-out viewer; a private one is unavailable to others.
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: uploader, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const setVisibility = async (visibility: string) => {
      const response = await fetch(`${baseUrl}/api/v1/videos/${videoId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ visibility }),
      });
      expect(response.status).toBe(200);
    };
    await setVisibility('unlisted');
    const anonymous = await newPage({ viewport: { width: 1280, height: 800 } });
    await anonymous.page.goto(`/watch/${videoId}`);
    await anonymous.page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor({ timeout: 15_000 });
    await playPast(anonymous.page, 0.3);
    // The media it plays comes through signed links (other videos' thumbnails beside it are public ones).
    const sources = await anonymous.page.evaluate(
      (id) =>
        performance
          .getEntriesByType('resource')
          .map((entry) => entry.name)
          .filter((name) => name.includes('/media/') && name.includes(`/videos/${id}/`)),
      videoId,
    );
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((name) => !name.includes('/media/t/'))).toEqual([]);
    await anonymous.context.close();

    await setVisibility('private');
    const other = await newPage();
    await signInAsNewUser(other.page, uniqueName('stranger'));
    await other.page.goto(`/watch/${videoId}`);
    await other.page.getByText('Video unavailable').waitFor();
    expect(await other.page.getByTestId('player-video').count()).toBe(0);
    await other.context.close();
  });
});
