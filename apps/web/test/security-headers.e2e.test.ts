/**
 * The web app, the player (hls.js with its blob: worker and MediaSource blob: media), the upload page and the
 * API docs work under Tube's Content-Security-Policy: every CSP violation reported in Chromium is a failure.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, playPast, settled, signInAsNewUser, startWebApp, uniqueName, uploadThroughPage, type WebApp } from './support/web-app.ts';

let web: WebApp | undefined;
let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-csp-'));
  web = await startWebApp({ TRANSCODE_MAX_HEIGHT: '240', X264_PRESET: 'ultrafast', SEGMENT_SECONDS: '1' }, { withWorker: true });
});

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface CspWatch {
  context: BrowserContext;
  page: Page;
  /** Violations seen by the page (`securitypolicyviolation` events) and CSP errors on the console. */
  problems(): Promise<string[]>;
}

async function watchedPage(): Promise<CspWatch> {
  if (!web) throw new Error('browser not started');
  const { context, page } = await web.newPage({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`),
    );
  });
  const consoleProblems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (/Content.Security.Policy|Refused to (load|execute|apply|connect|create|frame)/i.test(text)) consoleProblems.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => {
    if (/Content.Security.Policy|Refused to/i.test(error.message)) consoleProblems.push(`page error: ${error.message}`);
  });
  return {
    context,
    page,
    async problems() {
      const fromPage = await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []).catch(() => [] as string[]);
      return [...fromPage, ...consoleProblems];
    },
  };
}

describe('Content-Security-Policy in Chromium', () => {
  it('sends the security headers with the web app', async () => {
    const response = await fetch(`${web!.baseUrl}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("media-src 'self' blob:");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('home, upload, studio and watch (playing a real transcoded video) report no violation', async () => {
    const clip = await makeClip(workDir, 'csp.mp4', { width: 426, height: 240, seconds: 4 });
    const watched = await watchedPage();
    const { page, context } = watched;
    try {
      await page.goto('/');
      await settled(page);
      await signInAsNewUser(page, uniqueName('csp'));

      await page.goto('/upload');
      // The upload starts as the file is chosen; the details are edited while it goes up and saved explicitly.
      await uploadThroughPage(page, clip, { title: 'CSP clip', visibility: 'unlisted' });

      await page.getByRole('link', { name: 'Go to Studio' }).click();
      const row = page.getByTestId('studio-row').filter({ hasText: 'CSP clip' });
      await row.waitFor();
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000, interval: 250 }).toBe('ready');
      const videoId = (await row.getAttribute('data-video-id')) ?? '';

      await page.goto(`/watch/${videoId}`);
      await page.locator('[data-testid="player"][data-engine="hls.js"]').waitFor({ timeout: 15_000 });
      const videoElement = page.getByTestId('player-video');
      await playPast(page, 0.5);
      // hls.js really used MediaSource (a blob: src), so media-src blob: was exercised.
      expect(await videoElement.evaluate((element: HTMLVideoElement) => element.currentSrc)).toMatch(/^blob:/);
      // The poster and the storyboard come from the media route.
      expect(await videoElement.evaluate((element: HTMLVideoElement) => element.poster)).toMatch(/\/media\//);

      expect(await watched.problems()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the API docs page (swagger-ui) renders the API and reports no violation', async () => {
    const watched = await watchedPage();
    try {
      // swagger-ui parses about 1.5 MB of script; on a busy two-core machine that alone can take over 15 s.
      await watched.page.goto('/api/docs', { timeout: 45_000 });
      await watched.page.locator('.swagger-ui .info .title').filter({ hasText: 'Tube API' }).waitFor({ timeout: 45_000 });
      await watched.page.locator('.opblock-tag').first().waitFor({ timeout: 15_000 });
      expect(await watched.problems()).toEqual([]);
    } finally {
      await watched.context.close();
    }
  });

  it('counts a violation when one happens (the check can fail)', async () => {
    const watched = await watchedPage();
    try {
      await watched.page.goto('/');
      await settled(watched.page);
      await watched.page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.body.append(script);
      });
      await expect.poll(async () => (await watched.problems()).length).toBeGreaterThan(0);
      expect(await watched.page.evaluate(() => (window as unknown as { inlineRan?: boolean }).inlineRan)).toBeUndefined();
    } finally {
      await watched.context.close();
    }
  });
});
