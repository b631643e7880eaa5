/**
 * Other players than ours play what the chunked pipeline publishes: Shaka Player (the DASH MPD and the HLS master)
 * and dash.js (the MPD), the builds from the npm registry, in real Chromium. A 12 s upload is cut into 3 chunks of
 * 4 s (2 s segments), so playing past 5 s crosses a chunk seam. The test page is served by the test itself (from
 * node_modules, intercepted at the Tube origin so the media needs no CORS); the media comes from the real server.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, serverHelperUrl, startWebApp, type RunningTestApp, type WebApp } from './support/web-app.ts';

interface ServerHelpers {
  registerUser(app: RunningTestApp['app']): Promise<{ accessToken: string }>;
}
interface ServerVideoHelpers {
  uploadVideo(t: RunningTestApp, token: string, file: string, body?: Record<string, unknown>): Promise<{ id: string; status: string; error?: string | null }>;
}
interface ServerMediaHelpers {
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number; fps?: number }): Promise<string>;
}
interface PlayerReport {
  currentTime: number;
  errors: string[];
  decodedFrames: number;
  mediaError: string | null;
}

const CHUNKED_ENV = {
  TRANSCODE_MODE: 'chunked',
  TRANSCODE_MAX_HEIGHT: '240',
  X264_PRESET: 'ultrafast',
  SEGMENT_SECONDS: '2',
  CHUNK_SECONDS: '4',
  STORYBOARD_INTERVAL: '2',
  JOB_RETRY_DELAY: '1',
};
/** Past the first seam (4 s) and into the second chunk's second segment. */
const PLAY_PAST_SECONDS = 6.5;
const SCRIPTS = {
  '/third-party/shaka-player.js': path.join(REPO_ROOT, 'node_modules/shaka-player/dist/shaka-player.compiled.js'),
  '/third-party/dash.js': path.join(REPO_ROOT, 'node_modules/dashjs/dist/modern/umd/dash.all.min.js'),
};

/** The test page: one <video>, the chosen player, every error it reports collected in window.report. */
function testPage(player: 'shaka' | 'dashjs', manifestUrl: string): string {
  const start =
    player === 'shaka'
      ? `shaka.polyfill.installAll();
         const player = new shaka.Player();
         player.addEventListener('error', (event) => report.errors.push('shaka ' + event.detail.code + ' ' + (event.detail.message || '')));
         player.attach(video).then(() => player.load(manifestUrl)).then(() => video.play()).catch((error) => report.errors.push('shaka load ' + (error.code || '') + ' ' + error.message));`
      : `const player = dashjs.MediaPlayer().create();
         player.on(dashjs.MediaPlayer.events.ERROR, (event) => report.errors.push('dash.js ' + JSON.stringify(event.error)));
         player.on(dashjs.MediaPlayer.events.PLAYBACK_ERROR, (event) => report.errors.push('dash.js playback ' + JSON.stringify(event.error)));
         player.initialize(video, manifestUrl, true);`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${player}</title>
<script src="/third-party/${player === 'shaka' ? 'shaka-player' : 'dash'}.js"></script></head>
<body><video id="video" muted playsinline width="426" height="240"></video>
<script>
  const report = { errors: [] };
  window.report = report;
  const video = document.getElementById('video');
  const manifestUrl = ${JSON.stringify(manifestUrl)};
  video.addEventListener('error', () => report.errors.push('video element ' + (video.error && video.error.message)));
  ${start}
</script></body></html>`;
}

let web: WebApp | undefined;
let workDir = '';
let playback: { hls: string; dash: string } = { hls: '', dash: '' };

function running(): WebApp {
  if (!web) throw new Error('server not started');
  return web;
}

async function playWith(player: 'shaka' | 'dashjs', manifestUrl: string): Promise<PlayerReport> {
  const { context, page } = await running().newPage();
  try {
    await serveTestPage(page, player, manifestUrl);
    await page.goto(`/third-party/${player}.html`);
    await page.waitForFunction(
      (seconds) => {
        const video = document.querySelector('video');
        const report = (window as unknown as { report: { errors: string[] } }).report;
        return (video !== null && video.currentTime > seconds) || report.errors.length > 0;
      },
      PLAY_PAST_SECONDS,
      { timeout: 60_000 },
    );
    return await page.evaluate(() => {
      const video = document.querySelector('video')!;
      return {
        currentTime: video.currentTime,
        errors: (window as unknown as { report: { errors: string[] } }).report.errors,
        decodedFrames: video.getVideoPlaybackQuality().totalVideoFrames,
        mediaError: video.error ? video.error.message : null,
      };
    });
  } finally {
    await context.close();
  }
}

async function serveTestPage(page: Page, player: 'shaka' | 'dashjs', manifestUrl: string): Promise<void> {
  await page.route(`${running().baseUrl}/third-party/**`, async (route) => {
    const pathname = new URL(route.request().url()).pathname;
    if (pathname.endsWith('.html')) return route.fulfill({ contentType: 'text/html', body: testPage(player, manifestUrl) });
    const file = SCRIPTS[pathname as keyof typeof SCRIPTS];
    if (!file) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: 'text/javascript', body: await readFile(file) });
  });
}

beforeAll(async () => {
  const { registerUser } = (await import(serverHelperUrl('helpers/app.ts'))) as ServerHelpers;
  const { uploadVideo } = (await import(serverHelperUrl('helpers/videos.ts'))) as ServerVideoHelpers;
  const { makeVideo } = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-players-'));
  const source = await makeVideo(workDir, 'twelve.mp4', { width: 426, height: 240, seconds: 12, fps: 25 });
  web = await startWebApp(CHUNKED_ENV, { withWorker: true });
  const owner = await registerUser(web.testApp.app);
  const video = await uploadVideo(web.testApp, owner.accessToken, source, { title: 'Seams for everyone', visibility: 'public' });
  if (video.status !== 'ready') throw new Error(`the upload did not become ready: ${video.status} ${video.error ?? ''}`);
  const response = await fetch(`${web.baseUrl}/api/v1/videos/${video.id}`);
  const body = (await response.json()) as { playback: { hls: string; dash: string | null } | null };
  if (!body.playback?.dash) throw new Error('the ready video has no DASH manifest');
  playback = { hls: new URL(body.playback.hls, web.baseUrl).href, dash: new URL(body.playback.dash, web.baseUrl).href };
}, 240_000);

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('third-party players play the chunked output across a seam', () => {
  it('Shaka Player plays the DASH manifest', async () => {
    const report = await playWith('shaka', playback.dash);
    expect(report.errors).toEqual([]);
    expect(report.mediaError).toBeNull();
    expect(report.currentTime).toBeGreaterThan(PLAY_PAST_SECONDS);
    expect(report.decodedFrames).toBeGreaterThan(0);
  }, 90_000);

  it('Shaka Player plays the HLS master', async () => {
    const report = await playWith('shaka', playback.hls);
    expect(report.errors).toEqual([]);
    expect(report.mediaError).toBeNull();
    expect(report.currentTime).toBeGreaterThan(PLAY_PAST_SECONDS);
    expect(report.decodedFrames).toBeGreaterThan(0);
  }, 90_000);

  it('dash.js plays the DASH manifest', async () => {
    const report = await playWith('dashjs', playback.dash);
    expect(report.errors).toEqual([]);
    expect(report.mediaError).toBeNull();
    expect(report.currentTime).toBeGreaterThan(PLAY_PAST_SECONDS);
    expect(report.decodedFrames).toBeGreaterThan(0);
  }, 90_000);
});
