/**
 * Downloads in real Chromium against the real server (PostgreSQL, Redis, transcoding worker): the owner sees a
 * Download button, a viewer does not until the creator allows downloads in the studio, and pressing it shows
 * "Preparing…" and then saves an MP4 (a Playwright download) that ffprobe reads as H.264/AAC in an MP4.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, serverHelperUrl, settled, signIn, startWebApp, uniqueName, type RunningTestApp, type WebApp } from './support/web-app.ts';

interface ServerAccountHelpers {
  registerUser(app: RunningTestApp['app'], name?: string, password?: string): Promise<{ user: { id: string; username: string }; accessToken: string }>;
}
interface ServerVideoHelpers {
  uploadVideo(t: RunningTestApp, token: string, file: string, body?: Record<string, unknown>): Promise<{ id: string; status: string }>;
}
interface ServerMediaHelpers {
  FAST_TRANSCODE_ENV: Record<string, string>;
  FFPROBE: string;
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number }): Promise<string>;
}

const run = promisify(execFile);
const TITLE = 'Harbour "at" dusk';
let web: WebApp | undefined;
let media: ServerMediaHelpers;
let workDir = '';
let owner = '';
let viewer = '';
let videoId = '';

function running(): WebApp {
  if (!web) throw new Error('server not started');
  return web;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-downloads-'));
  media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  web = await startWebApp(media.FAST_TRANSCODE_ENV, { withWorker: true });
  const accounts = (await import(serverHelperUrl('helpers/app.ts'))) as ServerAccountHelpers;
  const videos = (await import(serverHelperUrl('helpers/videos.ts'))) as ServerVideoHelpers;
  const registered = await accounts.registerUser(web.testApp.app, uniqueName('owner'), PASSWORD);
  owner = registered.user.username;
  viewer = (await accounts.registerUser(web.testApp.app, uniqueName('viewer'), PASSWORD)).user.username;
  const clip = await media.makeVideo(workDir, 'harbour.mp4', { seconds: 3, width: 320, height: 240 });
  const video = await videos.uploadVideo(web.testApp, registered.accessToken, clip, { title: TITLE, visibility: 'public' });
  expect(video.status).toBe('ready');
  videoId = video.id;
});

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function openWatchPage(page: Page) {
  await page.goto(`/watch/${videoId}`);
  await page.getByTestId('watch-title').waitFor();
  await page.getByRole('button', { name: 'Share' }).waitFor();
  await settled(page);
}

/** Presses Download and checks the saved file is an H.264/AAC MP4 named after the title. */
async function downloadFrom(page: Page, name: string, expectPreparing: boolean) {
  const started = page.waitForEvent('download', { timeout: 60_000 });
  await page.getByTestId('download-button').click();
  if (expectPreparing) await page.getByTestId('download-button').getByText('Preparing…').waitFor();
  const download = await started;
  expect(download.suggestedFilename()).toBe('Harbour at dusk.mp4');
  const saved = path.join(workDir, name);
  await download.saveAs(saved);
  const { stdout } = await run(media.FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', saved]);
  const probe = JSON.parse(stdout) as { format: { format_name: string; duration: string }; streams: { codec_type: string; codec_name: string }[] };
  expect(probe.format.format_name).toContain('mp4');
  expect(Math.abs(Number(probe.format.duration) - 3)).toBeLessThan(0.25);
  expect(probe.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
  await page.getByTestId('download-button').getByText('Download').waitFor();
}

describe('downloads', () => {
  it('are offered to the owner, prepared on demand and saved as an MP4; not offered to others by default', async () => {
    const anonymous = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await openWatchPage(anonymous.page);
    expect(await anonymous.page.getByTestId('download-button').count()).toBe(0);
    await anonymous.context.close();

    const other = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(other.page, viewer);
    await openWatchPage(other.page);
    expect(await other.page.getByTestId('download-button').count()).toBe(0);
    await other.context.close();

    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await signIn(page, owner);
    await openWatchPage(page);
    await downloadFrom(page, 'owner.mp4', true);
    await context.close();
  }, 120_000);

  it('are offered to viewers once the creator allows them in the studio', async () => {
    const creator = await running().newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(creator.page, owner);
    await creator.page.goto('/studio');
    await creator.page.getByRole('button', { name: `Edit “${TITLE}”` }).click();
    const form = creator.page.getByTestId('edit-video-form');
    await form.getByLabel('Allow viewers to download this video').check();
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await creator.page.getByText('Changes saved').waitFor();
    await creator.context.close();

    const { context, page } = await running().newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await signIn(page, viewer);
    await openWatchPage(page);
    // The file exists already (the owner made it), so it starts at once.
    await downloadFrom(page, 'viewer.mp4', false);
    await context.close();
  }, 120_000);
});
