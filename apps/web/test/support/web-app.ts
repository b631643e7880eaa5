/**
 * Shared set-up for the browser tests: the real API server (PostgreSQL, Redis, optionally the
 * transcoding worker) serving the built web app, and headless Chromium driving it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const DIST_DIR = path.join(WEB_DIR, 'dist');
export const REPO_ROOT = path.resolve(WEB_DIR, '../..');
export const PASSWORD = 'correct horse battery';
/** Where screenshots of the main pages go (git-ignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
/** Chosen by `test/global-setup.ts`; browser test files are named `*e2e.test.ts` so the run can leave them out. */
export const CHROMIUM_PATH = process.env.TEST_CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Saves a full-page screenshot under test-artifacts/ for people to look at; never compared. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** A server test helper, imported by path at run time so this package's type check does not pull in the server's sources. */
export function serverHelperUrl(relativePath: string): string {
  return pathToFileURL(path.join(REPO_ROOT, 'apps/server/test', relativePath)).href;
}

export interface RunningTestApp {
  app: { listen(options: { port: number; host: string }): Promise<string> };
  close(): Promise<void>;
}
interface ServerAppHelpers {
  startTestApp(env?: Record<string, string>, role?: 'all', options?: { withWorker?: boolean; embeddedDefaults?: boolean }): Promise<RunningTestApp>;
}

export interface WebApp {
  testApp: RunningTestApp;
  browser: Browser;
  baseUrl: string;
  newPage(options?: Parameters<Browser['newContext']>[0]): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Starts the server (with the transcoding worker when asked) on a free port and launches Chromium. Builds `dist` if it is missing. */
export async function startWebApp(env: Record<string, string>, options: { withWorker: boolean; embeddedDefaults?: boolean }): Promise<WebApp> {
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
    execFileSync('npm', ['run', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const helpers = (await import(serverHelperUrl('helpers/app.ts'))) as ServerAppHelpers;
  const testApp = await helpers.startTestApp({ WEB_DIST_DIR: DIST_DIR, ...env }, 'all', options);
  const baseUrl = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  return {
    testApp,
    browser,
    baseUrl,
    async newPage(contextOptions = {}) {
      const context = await browser.newContext({ baseURL: baseUrl, ...contextOptions });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      await browser.close();
      await testApp.close();
    },
  };
}

export const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** Signs in through the sign-in page. */
export async function signIn(page: Page, login: string, password = PASSWORD): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('avatar-button').waitFor();
}

/** Creates an account through the API, then signs in through the sign-in page. */
export async function signInAsNewUser(page: Page, username: string): Promise<void> {
  const registration = await page.request.post('/api/v1/auth/register', {
    data: { username, email: `${username}@example.test`, password: PASSWORD },
  });
  expect(registration.status()).toBe(201);
  await signIn(page, username);
}

/** Waits until the page has rendered and nothing is loading any more. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const root = document.getElementById('root');
    return root !== null && root.childElementCount > 0 && !document.querySelector('.spinner, .skeleton, .avatar-placeholder');
  });
}

/**
 * Plays the watch page's video until it has gone past `seconds`. Autoplay may be refused, or a busy two-core machine may
 * stall the first segments, so it presses play again whenever the element sits paused and waits generously.
 */
export async function playPast(page: Page, seconds: number, timeout = 40_000): Promise<void> {
  const video = page.getByTestId('player-video');
  const deadline = Date.now() + timeout;
  for (;;) {
    const state = await video.evaluate((element: HTMLVideoElement) => ({ time: element.currentTime, paused: element.paused, ended: element.ended }));
    if (state.time > seconds) return;
    if (Date.now() > deadline) throw new Error(`the video did not play past ${seconds} s in ${timeout} ms (at ${state.time} s, paused: ${state.paused})`);
    if (state.paused && !state.ended) {
      const bigPlay = page.getByTestId('big-play');
      if (await bigPlay.isVisible()) await bigPlay.click();
      else await video.evaluate((element: HTMLVideoElement) => element.play().catch(() => undefined));
    }
    await page.waitForTimeout(250);
  }
}

interface ServerMediaHelpers {
  makeVideo(dir: string, name: string, options: { width: number; height: number; seconds: number; audio: boolean; extraArgs?: string[] }): Promise<string>;
}

/**
 * A test clip from ffmpeg's lavfi sources, made by the server's test helper: a test pattern with a tone, or with
 * `incompressible` a lossless noisy picture without sound, a few megabytes a second, for uploads that take several
 * 8 MiB tus chunks.
 */
export async function makeClip(
  dir: string,
  name: string,
  options: { width: number; height: number; seconds: number; incompressible?: boolean },
): Promise<string> {
  const media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  const { width, height, seconds } = options;
  return options.incompressible
    ? media.makeVideo(dir, name, { width, height, seconds, audio: false, extraArgs: ['-vf', 'noise=alls=30:allf=t', '-qp', '0'] })
    : media.makeVideo(dir, name, { width, height, seconds, audio: true });
}

/**
 * On the upload page: chooses the file (which starts the upload), checks the title starts as the file's name, fills
 * the details while the bytes go up, waits until the video is processing and saves the details.
 */
export async function uploadThroughPage(
  page: Page,
  clip: string,
  details: { title: string; description?: string; visibility: 'public' | 'unlisted' | 'private' },
): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(clip);
  const title = page.getByLabel('Title (required)');
  await expect.poll(() => title.inputValue()).toBe(path.parse(clip).name);
  await title.fill(details.title);
  if (details.description !== undefined) await page.getByLabel('Description').fill(details.description);
  await page.getByLabel('Visibility').selectOption(details.visibility);
  await page.locator('[data-testid="upload-status"][data-phase="processing"]').waitFor({ timeout: 20_000 });
  await page.getByTestId('save-details').click();
  await page.getByText(/^(Details saved|No changes to save)$/).waitFor();
}
