/**
 * Sharing in real Chromium against the real server (PostgreSQL, Redis, transcoding worker): a watch link
 * with `?t=` starts there, the share dialog builds links and embed code, the server-rendered head is in the
 * page, and the embed player plays inside an iframe on another origin and answers the postMessage API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, screenshot, serverHelperUrl, signIn, startWebApp, uniqueName, type RunningTestApp, type WebApp } from './support/web-app.ts';

interface ServerAccountHelpers {
  registerUser(app: RunningTestApp['app'], name?: string, password?: string): Promise<{ user: { id: string; username: string }; accessToken: string }>;
}
interface ServerVideoHelpers {
  uploadVideo(t: RunningTestApp, token: string, file: string, body?: Record<string, unknown>): Promise<{ id: string; status: string }>;
  insertReadyVideo(t: RunningTestApp, userId: string, fields?: { title?: string; visibility?: 'public' | 'unlisted' | 'private' }): Promise<string>;
}
interface ServerMediaHelpers {
  FAST_TRANSCODE_ENV: Record<string, string>;
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number }): Promise<string>;
}

const TITLE = 'Harbour at dusk';
/** Long enough for three chapters of at least 10 s each. */
const CLIP_SECONDS = 32;
const DESCRIPTION = 'Boats coming home. The lights come on at 0:12.\n\n0:00 Arrival\n0:10 Harbour lights\n0:21 Night';
let web: WebApp | undefined;
let workDir = '';
let alice: { username: string };
let videoId = '';
let privateId = '';
/** Another public video of the same channel: the related list, so the up-next queue. */
let nextId = '';
/** Another loopback origin that embeds the player, like a blog would. */
let host: Server | undefined;
let hostUrl = '';

function running(): WebApp {
  if (!web) throw new Error('server not started');
  return web;
}

/** The embedding page: an iframe and a tiny client of the embed API (what a site owner would write). */
function hostPage(src: string): string {
  return `<!doctype html><html><head><title>A blog</title></head><body>
<iframe id="player" width="480" height="270" src="${src}" allow="autoplay; fullscreen"></iframe>
<script>
  window.events = [];
  const pending = new Map();
  let nextId = 1;
  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || typeof data !== 'object') return;
    if (data.tube === 'event') window.events.push({ event: data.event, state: data.state, origin: event.origin });
    if (data.tube === 'response' && pending.has(data.id)) { pending.get(data.id)(data); pending.delete(data.id); }
  });
  window.ask = (method, args) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    document.getElementById('player').contentWindow.postMessage({ tube: 'command', method, args, id }, '*');
  });
</script></body></html>`;
}

async function startHost(): Promise<void> {
  let page = '';
  host = createServer((request, response) => {
    const src = new URL(request.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    page = hostPage(src.replaceAll('"', '&quot;'));
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => host!.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-sharing-'));
  const media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  web = await startWebApp(media.FAST_TRANSCODE_ENV, { withWorker: true });
  const accounts = (await import(serverHelperUrl('helpers/app.ts'))) as ServerAccountHelpers;
  const videos = (await import(serverHelperUrl('helpers/videos.ts'))) as ServerVideoHelpers;
  const registered = await accounts.registerUser(web.testApp.app, uniqueName('alice'), PASSWORD);
  alice = { username: registered.user.username };
  const [clip] = await Promise.all([media.makeVideo(workDir, 'harbour.mp4', { seconds: CLIP_SECONDS, width: 426, height: 240 }), startHost()]);
  const video = await videos.uploadVideo(web.testApp, registered.accessToken, clip, { title: TITLE, description: DESCRIPTION, visibility: 'public' });
  expect(video.status).toBe('ready');
  videoId = video.id;
  privateId = await videos.insertReadyVideo(web.testApp, registered.user.id, { title: 'Not for others', visibility: 'private' });
  nextId = await videos.insertReadyVideo(web.testApp, registered.user.id, { title: 'Harbour at night', visibility: 'public' });
});

afterAll(async () => {
  await web?.close();
  await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const currentTime = (page: Page) => page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => element.currentTime);

describe('shared links', () => {
  it('a watch link with ?t= starts there (seconds and 0m5s forms), with the page’s own head', async () => {
    const { context, page } = await running().newPage();
    await page.goto(`/watch/${videoId}`);
    // The head came from the server (link previews), and the app runs on it. Later navigations may be
    // answered by the service worker's app shell, which is fine for people and never seen by preview bots.
    expect(await page.locator('meta[property="og:video:url"]').getAttribute('content')).toBe(`${running().baseUrl}/embed/${videoId}`);
    expect(await page.locator('link[rel=alternate][type="application/json+oembed"]').count()).toBe(1);
    await expect.poll(() => page.title()).toContain(TITLE);
    // The app's own files came precompressed: brotli for Chromium.
    const script = await page.locator('script[type=module][src^="/assets/"]').getAttribute('src');
    const scriptResponse = await page.request.get(script!, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(scriptResponse.headers()['content-encoding']).toBe('br');
    for (const t of ['5', '0m4s']) {
      await page.goto(`/watch/${videoId}?t=${t}`);
      await page.getByTestId('player-video').waitFor();
      await page.waitForFunction(() => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid=player-video]');
        return video !== null && video.readyState >= 1 && video.currentTime >= 3.9;
      });
      expect(await currentTime(page)).toBeGreaterThanOrEqual(t === '5' ? 5 : 4);
    }
    await context.close();
  });

  it('the share dialog gives the link, the link at the current time and embed code with options', async () => {
    const { context, page } = await running().newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: running().baseUrl });
    await signIn(page, alice.username);
    await page.goto(`/watch/${videoId}?t=3`);
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid=player-video]')?.currentTime ?? 0) >= 3);
    await page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => element.pause());
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByTestId('share-dialog');
    const link = dialog.getByLabel('Link to the video');
    expect(await link.inputValue()).toBe(`${running().baseUrl}/watch/${videoId}`);
    expect(await dialog.getByLabel('Start time').inputValue()).toBe('0:03');
    await dialog.getByLabel('Start at').check();
    expect(await link.inputValue()).toBe(`${running().baseUrl}/watch/${videoId}?t=3s`);
    await dialog.getByLabel('Start time').fill('0:06');
    expect(await link.inputValue()).toBe(`${running().baseUrl}/watch/${videoId}?t=6s`);
    await dialog.getByLabel('Start time').fill('soon');
    await dialog.getByText('Write a time like 1:23.').waitFor();
    await dialog.getByLabel('Start time').fill('0:06');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.getByText('Link copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${running().baseUrl}/watch/${videoId}?t=6s`);

    const code = dialog.getByLabel('Embed code');
    expect(await code.inputValue()).toContain(`src="${running().baseUrl}/embed/${videoId}?start=6"`);
    await dialog.getByLabel('Autoplay').check();
    await dialog.getByLabel('Start muted').check();
    await dialog.getByLabel('Show player controls').uncheck();
    expect(await code.inputValue()).toBe(
      `<iframe width="560" height="315" src="${running().baseUrl}/embed/${videoId}?autoplay=1&amp;muted=1&amp;controls=0&amp;start=6" title="${TITLE}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`,
    );
    await context.close();
  });
});

describe('the embed player', () => {
  async function embedded(src: string): Promise<{ page: Page; frame: Frame; close(): Promise<void> }> {
    const { context, page } = await running().newPage();
    await page.goto(`${hostUrl}/?src=${encodeURIComponent(src)}`);
    const frame = await (await page.locator('#player').elementHandle())!.contentFrame();
    if (!frame) throw new Error('no iframe');
    return { page, frame, close: () => context.close() };
  }
  const events = (page: Page) =>
    page.evaluate(() => (window as unknown as { events: Array<{ event: string; state: { currentTime: number; paused: boolean }; origin: string }> }).events);
  const ask = (page: Page, method: string, args: number[] = []) =>
    page.evaluate(
      ([m, a]) => (window as unknown as { ask(method: string, args: number[]): Promise<{ result?: unknown; error?: string }> }).ask(m as string, a as number[]),
      [method, args] as const,
    );

  it('plays inside an iframe on another origin, from start=, muted, and answers play/pause/seek/getCurrentTime', async () => {
    const { page, frame, close } = await embedded(`${running().baseUrl}/embed/${videoId}?autoplay=1&muted=1&start=2`);
    expect(new URL(frame.url()).origin).not.toBe(new URL(page.url()).origin);
    await expect.poll(async () => (await events(page)).map((entry) => entry.event), { timeout: 15_000 }).toContain('play');
    const ready = (await events(page)).find((entry) => entry.event === 'ready');
    expect(ready?.origin).toBe(running().baseUrl);
    expect((await ask(page, 'getCurrentTime')).result).toBeGreaterThanOrEqual(2);
    expect((await ask(page, 'getState')).result).toMatchObject({ muted: true, paused: false });
    expect(await frame.getByTestId('embed-title').textContent()).toBe(TITLE);

    await ask(page, 'pause');
    await expect.poll(async () => (await events(page)).some((entry) => entry.event === 'pause' && entry.state.paused)).toBe(true);
    expect(await frame.getByTestId('player').getAttribute('data-state')).toBe('paused');
    expect((await ask(page, 'seek', [1])).result).toBe(1);
    await expect.poll(async () => (await events(page)).some((entry) => entry.event === 'seeked')).toBe(true);
    expect((await ask(page, 'getCurrentTime')).result).toBeCloseTo(1, 1);
    expect((await ask(page, 'getDuration')).result).toBeGreaterThan(CLIP_SECONDS - 1);
    expect((await ask(page, 'setVolume', [3])).error).toMatch(/0 to 1/);
    await ask(page, 'play');
    await expect.poll(async () => (await ask(page, 'getCurrentTime')).result as number).toBeGreaterThan(1.3);
    await close();
  });

  it('hides the controls with controls=0 and loops with loop=1', async () => {
    const { page, frame, close } = await embedded(`${running().baseUrl}/embed/${videoId}?autoplay=1&muted=1&controls=0&loop=1&start=${CLIP_SECONDS - 2}`);
    await expect.poll(async () => (await events(page)).map((entry) => entry.event), { timeout: 15_000 }).toContain('play');
    expect(await frame.locator('.player-controls').isHidden()).toBe(true);
    // Started 2 s before the end: after the end it is playing again from the start instead of stopping.
    await expect
      .poll(async () => (await ask(page, 'getState')).result as { currentTime: number; paused: boolean }, { timeout: 15_000 })
      .toMatchObject({ paused: false });
    await expect.poll(async () => (await ask(page, 'getCurrentTime')).result as number, { timeout: 15_000 }).toBeLessThan(4);
    expect((await events(page)).some((entry) => entry.event === 'ended')).toBe(false);
    await close();
  });

  it('says a private video is unavailable, and only the embed page may be framed', async () => {
    const { frame, close } = await embedded(`${running().baseUrl}/embed/${privateId}`);
    await frame.getByText('This video is unavailable.').waitFor();
    await close();
    const embedResponse = await fetch(`${running().baseUrl}/embed/${videoId}`);
    expect(embedResponse.headers.get('content-security-policy')).toContain('frame-ancestors *');
    const watchResponse = await fetch(`${running().baseUrl}/watch/${videoId}`);
    expect(watchResponse.headers.get('content-security-policy') ?? '').not.toContain('frame-ancestors *');
  });
});

describe('captions', () => {
  const SRT = `1
00:00:00,000 --> 00:00:03,000
First words

2
00:00:03,000 --> 00:00:06,000
Harbour <b>lights</b>

3
00:00:06,000 --> 00:00:08,500
Goodbye
`;
  const captionText = (page: Page) => page.getByTestId('player-captions').textContent();

  it('the owner uploads an SRT file; viewers pick it in the CC menu, it is in the HLS master, and the transcript seeks', async () => {
    const { context, page } = await running().newPage();
    await signIn(page, alice.username);
    await page.goto(`/watch/${videoId}`);
    await page.getByTestId('player-video').waitFor();
    expect(await page.getByTestId('captions-button').count()).toBe(0);

    await page.getByRole('button', { name: 'Captions' }).click();
    const dialog = page.getByTestId('captions-dialog');
    await dialog
      .getByLabel('Caption file (WebVTT or SRT)')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes') });
    await dialog.getByRole('button', { name: 'Upload captions' }).click();
    await dialog.getByText(/not a WebVTT or SRT caption file/).waitFor();
    await dialog.getByLabel('Caption file (WebVTT or SRT)').setInputFiles({ name: 'harbour.srt', mimeType: 'application/x-subrip', buffer: Buffer.from(SRT) });
    await dialog.getByRole('button', { name: 'Upload captions' }).click();
    await dialog.getByText('(en, 3 lines)').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The stream's master playlist lists them for other players too.
    const playback = (await (await page.request.get(`/api/v1/videos/${videoId}/playback`)).json()) as { hls: string; dash: string };
    expect(await (await page.request.get(playback.hls)).text()).toMatch(/#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en"/);
    expect(await (await page.request.get(playback.dash)).text()).toContain('<AdaptationSet contentType="text" mimeType="text/vtt" lang="en">');
    await context.close();

    const viewer = await running().newPage();
    await viewer.page.goto(`/watch/${videoId}`);
    const video = viewer.page.getByTestId('player-video');
    await video.waitFor();
    await video.evaluate((element: HTMLVideoElement) => {
      element.pause();
      element.currentTime = 1;
    });
    await viewer.page.getByTestId('captions-button').click();
    const menu = viewer.page.getByTestId('captions-menu');
    expect(await menu.getByRole('menuitemradio').allTextContents()).toEqual([
      '✓Off',
      'English',
      '75%',
      '✓100%',
      '150%',
      '200%',
      'None',
      '✓Semi-transparent',
      'Solid',
    ]);
    await menu.getByRole('menuitemradio', { name: 'English' }).click();
    await menu.getByRole('menuitemradio', { name: '150%' }).click();
    await expect.poll(() => captionText(viewer.page)).toBe('First words');
    await viewer.page.keyboard.press('Escape');
    expect(await viewer.page.getByTestId('player-captions').getAttribute('style')).toContain('--caption-scale: 1.5');

    // c turns them off and on again; the choice is remembered on the next visit.
    await viewer.page.locator('body').press('c');
    await viewer.page.getByTestId('player-captions').waitFor({ state: 'detached' });
    await viewer.page.locator('body').press('c');
    await viewer.page.getByTestId('player-captions').waitFor();
    await viewer.page.reload();
    // After the resume seek (to where this viewer stopped), which happens on loadedmetadata.
    await viewer.page.getByTestId('player-video').evaluate(async (element: HTMLVideoElement) => {
      if (element.readyState < 1) await new Promise((resolve) => element.addEventListener('loadedmetadata', resolve, { once: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      element.pause();
      element.currentTime = 4;
    });
    await expect.poll(() => captionText(viewer.page)).toBe('Harbour lights');
    expect(await viewer.page.locator('.player-caption-cue b, .player-caption-cue script').count()).toBe(0);

    // Transcript: search, then click a line to go there.
    const transcript = viewer.page.getByTestId('transcript');
    await transcript.locator('summary').click();
    expect(await transcript.locator('.transcript-line').count()).toBe(3);
    await transcript.getByLabel('Search transcript').fill('goodbye');
    expect(await transcript.locator('.transcript-line').allTextContents()).toEqual(['0:06Goodbye']);
    await transcript.locator('.transcript-line').click();
    await expect.poll(() => currentTime(viewer.page)).toBeGreaterThanOrEqual(6);
    await transcript.getByLabel('Search transcript').fill('');
    await expect.poll(() => transcript.locator('[aria-current="true"]').textContent()).toBe('0:06Goodbye');
    await viewer.context.close();
  });
});

describe('chapters and timestamps', () => {
  it('a description with chapters shows marks on the seek bar and the chapter title; its timestamps seek', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`/watch/${videoId}`);
    const video = page.getByTestId('player-video');
    await video.waitFor();
    await video.evaluate((element: HTMLVideoElement) => element.pause());
    await expect.poll(() => page.getByTestId('chapter-mark').count()).toBe(2);
    const marks = await page.getByTestId('chapter-mark').evaluateAll((elements) => elements.map((element) => (element as HTMLElement).style.left));
    expect(marks.map((left) => Math.round(Number.parseFloat(left)))).toEqual([31, 66]);
    expect(await page.getByTestId('player-chapter').textContent()).toBe('Arrival');

    // The timestamp in the text and the one in the chapter list are links that move the player.
    const links = page.locator('.watch-description-text .timestamp-link');
    expect(await links.allTextContents()).toEqual(['0:12', '0:00', '0:10', '0:21']);
    expect(await links.first().getAttribute('href')).toBe(`/watch/${videoId}?t=12s`);
    await links.first().click();
    await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(12);
    await expect.poll(() => page.getByTestId('player-chapter').textContent()).toBe('Harbour lights');
    expect(new URL(page.url()).pathname).toBe(`/watch/${videoId}`);
    await links.nth(3).click();
    await expect.poll(() => page.getByTestId('player-chapter').textContent()).toBe('Night');

    const track = await page.request.get(`/api/v1/videos/${videoId}/chapters.vtt`);
    expect(await track.text()).toContain('00:00:10.000 --> 00:00:21.000\nHarbour lights');
    await context.close();
  });
});

describe('speed, up next and autoplay', () => {
  const rate = (page: Page) =>
    page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => [element.playbackRate, element.preservesPitch] as const);
  const playFromNearTheEnd = (page: Page) =>
    page.getByTestId('player-video').evaluate(async (element: HTMLVideoElement) => {
      if (!Number.isFinite(element.duration)) await new Promise((resolve) => element.addEventListener('loadedmetadata', resolve, { once: true }));
      element.muted = true;
      element.currentTime = element.duration - 1.5;
      void element.play();
    });

  it('starts sharp: on a fast connection the first rung played is not the lowest, and the estimate is kept', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`/watch/${videoId}`);
    const player = page.getByTestId('player');
    await expect.poll(() => player.getAttribute('data-first-level'), { timeout: 15_000 }).not.toBe('-1');
    const levels = Number(await player.getAttribute('data-levels'));
    expect(levels).toBeGreaterThanOrEqual(2);
    // hls.js orders levels by bitrate: 0 is the lowest rung, where every video used to start.
    expect(Number(await player.getAttribute('data-first-level'))).toBe(levels - 1);
    await expect.poll(() => page.evaluate(() => window.localStorage.getItem('tube.bandwidth')), { timeout: 15_000 }).toMatch(/"bitsPerSecond":\d+/);
    await context.close();
  });

  it('theater mode (t, remembered), loop toggle and stats for nerds', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`/watch/${videoId}`);
    const player = page.getByTestId('player');
    await player.waitFor();
    const narrow = (await player.boundingBox())!.width;
    await page.locator('body').press('t');
    await expect.poll(async () => (await player.boundingBox())!.width).toBeGreaterThan(narrow + 200);
    expect(await page.getByTestId('theater-button').getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await expect.poll(async () => (await page.getByTestId('player').boundingBox())!.width).toBeGreaterThan(narrow + 200);
    await page.getByTestId('theater-button').click();
    await expect.poll(async () => (await player.boundingBox())!.width).toBeLessThan(narrow + 1);

    await page.getByTestId('loop-button').click();
    expect(await page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => element.loop)).toBe(true);

    await page.getByTestId('player-video').evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      await element.play();
    });
    await page.getByTestId('quality-button').click();
    await page.getByRole('menuitem', { name: 'Stats for nerds' }).click();
    const stats = page.getByTestId('player-stats');
    await expect.poll(() => stats.locator('[data-stat=rung]').textContent()).toMatch(/^\d+p \(\d+×\d+\)$/);
    await expect.poll(() => stats.locator('[data-stat=dropped]').textContent()).toMatch(/^\d+ \/ [1-9]\d*$/);
    await stats.getByRole('button', { name: 'Close stats' }).click();
    await stats.waitFor({ state: 'detached' });
    await context.close();
  });

  it('changes speed from the menu and with < >, pitch kept, remembered on the next visit', async () => {
    const { context, page } = await running().newPage();
    await page.goto(`/watch/${videoId}`);
    await page.getByTestId('player-video').waitFor();
    await page.getByTestId('speed-button').click();
    expect(await page.getByTestId('speed-menu').getByRole('menuitemradio').allTextContents()).toEqual([
      '0.25×',
      '0.5×',
      '0.75×',
      '✓Normal',
      '1.25×',
      '1.5×',
      '1.75×',
      '2×',
    ]);
    await page.getByTestId('speed-menu').getByRole('menuitemradio', { name: '1.5×' }).click();
    expect(await rate(page)).toEqual([1.5, true]);
    await page.locator('body').press('Shift+Comma');
    expect(await rate(page)).toEqual([1.25, true]);
    await page.reload();
    await page.getByTestId('player-video').waitFor();
    await expect.poll(() => rate(page)).toEqual([1.25, true]);
    expect(await page.getByTestId('speed-button').textContent()).toBe('1.25×');
    await page.locator('body').press('Shift+Period');
    await page.locator('body').press('Shift+Period');
    expect((await rate(page))[0]).toBe(1.75);
    await context.close();
  });

  it('the end shows what is up next and, with autoplay on, goes there after a countdown; Shift+N goes at once', async () => {
    const { context, page } = await running().newPage();
    await page.goto(`/watch/${videoId}`);
    await page.getByTestId('player-video').waitFor();
    expect(await page.getByTestId('autoplay-switch').getAttribute('aria-checked')).toBe('true');
    await playFromNearTheEnd(page);
    const upNext = page.getByTestId('up-next');
    await upNext.getByText(/^Up next in \d$/).waitFor({ timeout: 15_000 });
    expect(await upNext.textContent()).toContain('Harbour at night');
    await page.waitForURL(`**/watch/${nextId}`, { timeout: 10_000 });

    await page.goto(`/watch/${videoId}`);
    await page.getByTestId('player-video').waitFor();
    await page.locator('body').press('Shift+N');
    await page.waitForURL(`**/watch/${nextId}`);
    await context.close();
  });

  it('with autoplay off (remembered) the end screen waits for the viewer', async () => {
    const { context, page } = await running().newPage();
    await page.goto(`/watch/${videoId}`);
    await page.getByTestId('autoplay-switch').click();
    await page.reload();
    await page.getByTestId('player-video').waitFor();
    expect(await page.getByTestId('autoplay-switch').getAttribute('aria-checked')).toBe('false');
    await playFromNearTheEnd(page);
    const upNext = page.getByTestId('up-next');
    await upNext.getByText('Up next', { exact: true }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1500);
    expect(new URL(page.url()).pathname).toBe(`/watch/${videoId}`);
    await upNext.getByRole('button', { name: 'Play now' }).click();
    await page.waitForURL(`**/watch/${nextId}`);
    await context.close();
  });
});

describe('on a phone', () => {
  const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

  it('a tap shows or hides the controls without pausing; a double tap on the right seeks 10 s; the quality menu fits', async () => {
    const { context, page } = await running().newPage(PHONE);
    await page.goto(`/watch/${videoId}`);
    const video = page.getByTestId('player-video');
    const player = page.getByTestId('player');
    await video.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      await element.play();
    });
    await expect.poll(() => player.getAttribute('data-controls-hidden'), { timeout: 10_000 }).toBe('true');
    const box = (await video.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => player.getAttribute('data-controls-hidden')).toBeNull();
    expect(await player.getAttribute('data-state')).toBe('playing');
    await page.waitForTimeout(400);
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => player.getAttribute('data-controls-hidden')).toBe('true');
    expect(await player.getAttribute('data-state')).toBe('playing');

    await page.waitForTimeout(400);
    const before = await currentTime(page);
    await page.touchscreen.tap(box.x + box.width * 0.85, box.y + box.height / 2);
    await page.touchscreen.tap(box.x + box.width * 0.85, box.y + box.height / 2);
    await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(before + 9);
    expect(await player.getAttribute('data-state')).toBe('playing');

    // Every control of the bar is inside the phone's player (none pushed off its right edge).
    const playerRight = (await player.boundingBox())!;
    for (const button of await page.locator('.player-buttons > *:visible, .player-buttons .menu-anchor > button:visible').all()) {
      const buttonBox = await button.boundingBox();
      if (buttonBox) expect(buttonBox.x + buttonBox.width).toBeLessThanOrEqual(playerRight.x + playerRight.width + 1);
    }
    // Every rung of the quality menu is on screen inside the phone's player.
    await video.evaluate((element: HTMLVideoElement) => element.pause());
    await page.getByTestId('quality-button').click();
    const menu = page.getByTestId('quality-menu');
    const playerBox = (await player.boundingBox())!;
    const items = menu.getByRole('menuitemradio');
    expect(await items.count()).toBe(Number(await player.getAttribute('data-levels')) + 1);
    for (const item of await items.all()) {
      await item.scrollIntoViewIfNeeded();
      const itemBox = (await item.boundingBox())!;
      expect(itemBox.y).toBeGreaterThanOrEqual(playerBox.y - 1);
      expect(itemBox.y + itemBox.height).toBeLessThanOrEqual(playerBox.y + playerBox.height + 1);
    }
    await context.close();
  });

  it('scrubbing the seek bar by touch shows the storyboard and seeks on release; a double tap on the left goes back 10 s', async () => {
    const { context, page } = await running().newPage(PHONE);
    await page.goto(`/watch/${videoId}`);
    const video = page.getByTestId('player-video');
    const player = page.getByTestId('player');
    await video.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      await element.play().catch(() => undefined);
    });
    await page.waitForFunction(() => Number.isFinite(document.querySelector<HTMLVideoElement>('[data-testid=player-video]')?.duration));
    await video.evaluate((element: HTMLVideoElement) => element.pause());
    const duration = await video.evaluate((element: HTMLVideoElement) => element.duration);

    // Real touch events (touchstart, several touchmoves, touchend), as a finger sends them.
    const touch = await context.newCDPSession(page);
    const bar = (await page.locator('.seekbar').boundingBox())!;
    const y = bar.y + bar.height / 2;
    const at = (fraction: number) => [{ x: bar.x + bar.width * fraction, y, id: 1 }];
    await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.1) });
    for (const fraction of [0.2, 0.3, 0.4, 0.5, 0.6]) await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(fraction) });
    const preview = page.getByTestId('seek-preview');
    await preview.waitFor();
    expect(await preview.locator('.seek-preview-image').count()).toBe(1);
    const [minutes = 0, seconds = 0] = ((await preview.locator('.seek-preview-time').textContent()) ?? '').split(':').map(Number);
    expect(Math.abs(minutes * 60 + seconds - duration * 0.6)).toBeLessThanOrEqual(1.5);
    await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(() => currentTime(page)).toBeGreaterThan(duration * 0.6 - 1.5);
    expect(await currentTime(page)).toBeLessThan(duration * 0.6 + 1.5);
    await expect.poll(() => preview.count()).toBe(0);
    expect(await player.getAttribute('data-state')).toBe('paused');

    await video.evaluate((element: HTMLVideoElement) => {
      element.currentTime = 20;
    });
    await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(19.9);
    const box = (await video.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width * 0.15, box.y + box.height / 2);
    await page.touchscreen.tap(box.x + box.width * 0.15, box.y + box.height / 2);
    await expect.poll(() => currentTime(page)).toBeLessThanOrEqual(10.1);
    expect(await currentTime(page)).toBeGreaterThanOrEqual(9.5);
    await context.close();
  });
});

describe('phone landscape and offline', () => {
  it('a phone held sideways shows the whole player', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 844, height: 390 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
    await page.goto(`/watch/${videoId}`);
    const box = (await page.getByTestId('player').boundingBox())!;
    expect(box.height).toBeLessThanOrEqual(390);
    expect(box.width / box.height).toBeCloseTo(16 / 9, 1);
    await context.close();
  });

  it('a watch page opened offline says so, and loads by itself when the connection is back', async () => {
    const { context, page } = await running().newPage();
    await page.goto('/');
    // The service worker serves the app shell once it controls the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    await page.goto(`/watch/${videoId}`);
    await page.getByRole('heading', { name: "You're offline" }).waitFor();
    await context.setOffline(false);
    await page.getByTestId('watch-title').waitFor();
    expect(await page.getByTestId('watch-title').textContent()).toBe(TITLE);
    await context.close();
  });

  it('a video that failed to load loads by itself when the connection returns, with no click', async () => {
    const { context, page } = await running().newPage();
    // The connection drops while the page asks for the video, before the browser notices it is offline:
    // the request fails (after TanStack Query's retries) and the page shows the error.
    const videoUrl = `${running().baseUrl}/api/v1/videos/${videoId}`;
    await page.route(videoUrl, (route) => route.abort('internetdisconnected'));
    await page.goto(`/watch/${videoId}`);
    await page.getByRole('heading', { name: "Couldn't load this video" }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('video-state').textContent()).toContain('Check your connection');
    // Then the browser notices (offline), and later the connection comes back (online).
    await context.setOffline(true);
    await page.unroute(videoUrl);
    const refetched = page.waitForResponse((response) => response.url() === videoUrl && response.status() === 200);
    await context.setOffline(false);
    await refetched;
    await page.getByTestId('watch-title').waitFor();
    expect(await page.getByTestId('watch-title').textContent()).toBe(TITLE);
    await context.close();
  });
});

describe('the mini player', () => {
  /** Muted (so autoplay is allowed) and playing past `seconds`, pressing play again while it sits paused. */
  const playMutedPast = async (page: Page, seconds: number) => {
    await page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => {
      element.muted = true;
    });
    await expect
      .poll(
        () =>
          page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => {
            if (element.paused) void element.play().catch(() => undefined);
            return element.currentTime;
          }),
        { timeout: 40_000 },
      )
      .toBeGreaterThan(seconds);
  };
  const mediaState = (page: Page) =>
    page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => ({ time: element.currentTime, paused: element.paused, src: element.src }));

  it('keeps playing in a dock while browsing, expands back to the watch page where it was, and closes', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`/watch/${videoId}`);
    await playMutedPast(page, 1);
    const before = await mediaState(page);
    // The element is marked so that "the same element, not a new one" can be checked after each move.
    await page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => element.setAttribute('data-marked', 'yes'));

    await page.getByRole('link', { name: 'Tube home' }).click();
    await page.waitForURL(`${running().baseUrl}/`);
    const mini = page.getByTestId('mini-player');
    await mini.waitFor();
    // Bottom right of the window, playing the same element on.
    const box = (await mini.boundingBox())!;
    expect(box.x + box.width).toBeGreaterThan(1366 - 40);
    expect(box.y + box.height).toBeGreaterThan(768 - 40);
    await screenshot(page, 'mini-player-desktop');
    expect(await mini.getByTestId('player-video').getAttribute('data-marked')).toBe('yes');
    const docked = await mediaState(page);
    expect(docked.src).toBe(before.src);
    await expect.poll(async () => (await mediaState(page)).time, { timeout: 45_000 }).toBeGreaterThan(docked.time + 0.5);
    expect((await mediaState(page)).paused).toBe(false);
    await expect.poll(() => mini.locator('.player-controls').isHidden()).toBe(true);

    // Pause and play from the dock.
    await mini.getByTestId('mini-player-play').click();
    await expect.poll(async () => (await mediaState(page)).paused).toBe(true);
    await mini.getByTestId('mini-player-play').click();
    await expect.poll(async () => (await mediaState(page)).paused).toBe(false);

    const beforeExpand = (await mediaState(page)).time;
    await mini.getByTestId('mini-player-expand').click();
    await page.waitForURL(`${running().baseUrl}/watch/${videoId}`);
    await page.getByTestId('player-slot').getByTestId('player-video').waitFor();
    await expect.poll(() => mini.isHidden()).toBe(true);
    expect(await page.getByTestId('player-video').getAttribute('data-marked')).toBe('yes');
    expect((await mediaState(page)).time).toBeGreaterThanOrEqual(beforeExpand);

    // The mini player button (and `i`) docks it and goes back; close stops and removes it.
    await page.getByTestId('mini-player-button').click();
    await page.waitForURL(`${running().baseUrl}/`);
    await mini.waitFor();
    expect(await mini.getByTestId('player-video').getAttribute('data-marked')).toBe('yes');
    // Playing on in the dock for a while: the position saved when the watch page closed is now well behind.
    const dockedAgain = (await mediaState(page)).time;
    // A loaded machine can hold a segment fetch for many seconds; the video must still move on by itself.
    await expect.poll(async () => (await mediaState(page)).time, { timeout: 45_000 }).toBeGreaterThan(dockedAgain + 2);
    const closedAt = (await mediaState(page)).time;
    await mini.getByTestId('mini-player-close').click();
    await expect.poll(() => mini.isHidden()).toBe(true);
    expect(await page.getByTestId('player-video').count()).toBe(0);
    // Where it was closed is where the next visit starts (saved while docked, like on the watch page).
    await page.goto(`/watch/${videoId}`);
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid=player-video]')?.readyState ?? 0) >= 1);
    expect(await currentTime(page)).toBeGreaterThanOrEqual(closedAt - 0.5);
    await context.close();
  }, 180_000);

  it('does not dock a paused video, nor one left for another watch page', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`/watch/${videoId}`);
    await playMutedPast(page, 0.5);
    await page.getByTestId('player-video').evaluate((element: HTMLVideoElement) => element.pause());
    await page.getByRole('link', { name: 'Tube home' }).click();
    await page.waitForURL(`${running().baseUrl}/`);
    await page.getByTestId('video-card').first().waitFor();
    expect(await page.getByTestId('player-video').count()).toBe(0);
    expect(await page.getByTestId('mini-player').isHidden()).toBe(true);

    // Another video picked while this one plays: that video's page, and no dock.
    await page.goto(`/watch/${videoId}`);
    await playMutedPast(page, 0.5);
    await page.getByRole('link', { name: 'Harbour at night' }).first().click();
    await page.waitForURL(`${running().baseUrl}/watch/${nextId}`);
    await page.getByTestId('watch-title').waitFor();
    expect(await page.getByTestId('mini-player').isHidden()).toBe(true);
    await context.close();
  });

  it('on a phone it is a bar along the bottom', async () => {
    const { context, page } = await running().newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`/watch/${videoId}`);
    await playMutedPast(page, 0.5);
    await page.keyboard.press('i');
    const mini = page.getByTestId('mini-player');
    await mini.waitFor();
    const box = (await mini.boundingBox())!;
    expect(box.x).toBeLessThanOrEqual(1);
    expect(box.width).toBeGreaterThanOrEqual(389);
    expect(box.height).toBeLessThan(200);
    // Above the phone's bottom navigation or at the bottom edge: either way inside the screen.
    expect(box.y + box.height).toBeLessThanOrEqual(844 + 1);
    await context.close();
  });
});

describe('identity', () => {
  it('has its own logo, follows the device theme, and the theme switch persists', async () => {
    const { context, page } = await running().newPage({ colorScheme: 'dark' });
    await page.goto('/');
    await page.getByTestId('logo-mark').waitFor();
    expect(await page.locator('.logo rect[fill="#f00"]').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('theme-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    const lightBackground = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(lightBackground).toBe('rgb(255, 255, 255)');
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(await page.getByTestId('theme-switch').getAttribute('data-choice')).toBe('light');
    // The player stays dark in the light theme.
    await page.goto(`/watch/${videoId}`);
    await page.getByTestId('player').waitFor();
    expect(await page.getByTestId('player').evaluate((element) => getComputedStyle(element).backgroundColor)).toBe('rgb(0, 0, 0)');
    await page.getByTestId('theme-switch').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await context.close();
  });
});
