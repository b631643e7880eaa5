/**
 * Starting sharp: time to first frame and the first rung played on the watch page, in headless Chromium
 * against the real server (PostgreSQL, Redis, worker), for the start-level choice of the player.
 *
 *   npm run build:web && node --import tsx bench/startup.bench.ts           # prints the table
 *   node --import tsx bench/startup.bench.ts --write                         # also writes bench/results/startup.md
 *
 * The media comes from the real pipeline: a BENCH_SECONDS (default 12) s 1280×720 synthetic source uploaded
 * with tus and transcoded with the production segment length (4 s), TRANSCODE_MAX_HEIGHT=720, x264 ultrafast.
 *
 * Scenarios, each in a fresh browser profile, interleaved round by round (BENCH_ROUNDS, default 3), each
 * compared with a baseline in the same profile state (cold, or warm after a visit to another video):
 *  - baseline: the start the player had before, i.e. hls.js' default bandwidth estimate of 500 kbit/s
 *    (emulated by storing that estimate as if it had been measured, so the same code path runs);
 *  - first visit: nothing stored, the estimate comes from the browser's network hint (navigator.connection);
 *  - returning viewer: a previous video in the same profile left a measured estimate;
 *  - returning viewer on a phone (390×844 at 3×): the same, with the player's size capping the start.
 * Time to first frame is measured from navigation start to the first presented video frame
 * (requestVideoFrameCallback), on loopback, so it is mostly the app's own start-up plus one segment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions } from 'playwright-core';
import type { Video } from '@tube/shared';
import { registerUser, startTestApp } from '../apps/server/test/helpers/app.ts';
import { makeVideo } from '../apps/server/test/helpers/media.ts';
import { uploadVideo } from '../apps/server/test/helpers/videos.ts';
import { emitReport, markdownTable, median } from './support/kit.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const HLS_JS_DEFAULT_ESTIMATE = 500_000;

interface Scenario {
  name: string;
  context: BrowserContextOptions;
  /** A visit to another video first (app and HTTP caches warm, a bandwidth estimate measured). */
  previousVisit: boolean;
  /** Replace the estimate with hls.js' default before the measured visit: how every video used to start. */
  oldStart: boolean;
  /** The scenario this one's time is compared with: same profile state, old start. */
  baseline: string;
}

const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 768 } };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const COLD_BASELINE = 'Baseline, first visit: hls.js default estimate (500 kbit/s), desktop';
const WARM_BASELINE = 'Baseline, returning: hls.js default estimate (500 kbit/s), desktop';
const PHONE_BASELINE = 'Baseline, returning: hls.js default estimate (500 kbit/s), phone 390×844 @3×';
const SCENARIOS: Scenario[] = [
  { name: COLD_BASELINE, context: DESKTOP, previousVisit: false, oldStart: true, baseline: COLD_BASELINE },
  { name: 'First visit (browser network hint), desktop', context: DESKTOP, previousVisit: false, oldStart: false, baseline: COLD_BASELINE },
  { name: WARM_BASELINE, context: DESKTOP, previousVisit: true, oldStart: true, baseline: WARM_BASELINE },
  { name: 'Returning viewer (last measured bandwidth), desktop', context: DESKTOP, previousVisit: true, oldStart: false, baseline: WARM_BASELINE },
  { name: PHONE_BASELINE, context: PHONE, previousVisit: true, oldStart: true, baseline: PHONE_BASELINE },
  { name: 'Returning viewer (last measured bandwidth), phone 390×844 @3×', context: PHONE, previousVisit: true, oldStart: false, baseline: PHONE_BASELINE },
];

interface Sample {
  firstFrameMs: number;
  firstLevel: number;
  /** The estimate the measured visit started from, bit/s. */
  estimate: number | null;
}

/** Records the first presented frame of the first <video> the page creates. */
const FIRST_FRAME_PROBE = `(() => {
  const watch = (video) => video.requestVideoFrameCallback(() => { window.__firstFrameMs = performance.now(); });
  new MutationObserver((_, observer) => {
    const video = document.querySelector('video');
    if (video) { observer.disconnect(); watch(video); }
  }).observe(document, { childList: true, subtree: true });
})();`;

async function measure(browser: Browser, baseUrl: string, scenario: Scenario, videoId: string, warmUpVideoId: string): Promise<Sample> {
  const context = await browser.newContext({ baseURL: baseUrl, ...scenario.context });
  try {
    const page = await context.newPage();
    if (scenario.previousVisit) {
      await page.goto(`/watch/${warmUpVideoId}`);
      await page.waitForFunction(() => window.localStorage.getItem('tube.bandwidth') !== null, undefined, { timeout: 60_000 });
    } else {
      await page.goto('/favicon.svg');
    }
    if (scenario.oldStart) {
      await page.evaluate(
        (estimate) => window.localStorage.setItem('tube.bandwidth', JSON.stringify({ bitsPerSecond: estimate, at: Date.now() })),
        HLS_JS_DEFAULT_ESTIMATE,
      );
    }
    const stored = await page.evaluate(() => window.localStorage.getItem('tube.bandwidth'));
    const downlink = await page.evaluate(() => (navigator as Navigator & { connection?: { downlink?: number } }).connection?.downlink ?? null);
    const estimate = stored ? (JSON.parse(stored) as { bitsPerSecond: number }).bitsPerSecond : downlink !== null ? downlink * 1_000_000 : null;
    await context.addInitScript(FIRST_FRAME_PROBE);
    await page.goto(`/watch/${videoId}`);
    await page.waitForFunction(() => typeof (window as unknown as { __firstFrameMs?: number }).__firstFrameMs === 'number', undefined, { timeout: 60_000 });
    const firstFrameMs = await page.evaluate(() => (window as unknown as { __firstFrameMs: number }).__firstFrameMs);
    const player = page.getByTestId('player');
    await page.waitForFunction(() => document.querySelector('[data-testid=player]')?.getAttribute('data-first-level') !== '-1');
    const firstLevel = Number(await player.getAttribute('data-first-level'));
    return { firstFrameMs, firstLevel, estimate };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!;
  const workDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-startup-'));
  const setup = await startTestApp(
    { WEB_DIST_DIR: path.join(ROOT, 'apps/web/dist'), TRANSCODE_MAX_HEIGHT: '720', X264_PRESET: 'ultrafast', SEGMENT_SECONDS: '4' },
    'all',
    { withWorker: true },
  );
  let browser: Browser | null = null;
  try {
    const baseUrl = await setup.app.listen({ port: 0, host: '127.0.0.1' });
    const user = await registerUser(setup.app);
    const source = await makeVideo(workDir, 'source.mp4', { width: 1280, height: 720, seconds: SOURCE_SECONDS, fps: 25 });
    const started = Date.now();
    const videos: Video[] = [];
    for (const title of ['Startup benchmark', 'Warm-up video']) {
      const video = await uploadVideo(setup, user.accessToken, source, { title, visibility: 'public' });
      if (video.status !== 'ready') throw new Error(`transcode failed: ${video.error ?? ''}`);
      videos.push(video);
    }
    process.stderr.write(`transcoded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const [measured, warmUp] = videos as [Video, Video];
    // hls.js orders levels by bitrate, lowest first.
    const rungs = [...measured.renditions].sort((a, b) => a.bandwidth - b.bandwidth).map((rendition) => rendition.name);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking'],
    });
    const samples = new Map<string, Sample[]>(SCENARIOS.map((scenario) => [scenario.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? SCENARIOS : [...SCENARIOS].reverse();
      for (const scenario of order) samples.get(scenario.name)!.push(await measure(browser, baseUrl, scenario, measured.id, warmUp.id));
    }

    const frameOf = (name: string) => median(samples.get(name)!.map((sample) => sample.firstFrameMs));
    const rows = SCENARIOS.map((scenario) => {
      const list = samples.get(scenario.name)!;
      const frame = frameOf(scenario.name);
      const levels = list.map((sample) => rungs[sample.firstLevel] ?? `level ${sample.firstLevel}`);
      const estimate = median(list.map((sample) => sample.estimate ?? Number.NaN));
      return [
        scenario.name,
        Number.isFinite(estimate) ? (estimate / 1_000_000).toFixed(1) : 'default',
        [...new Set(levels)].join(', '),
        frame.toFixed(0),
        `${(frame / frameOf(scenario.baseline)).toFixed(2)}×`,
      ];
    });
    const report = [
      '# Player start: first rung and time to first frame',
      '',
      `${SOURCE_SECONDS} s 1280×720 source, ladder ${rungs.join(' / ')}, 4 s segments, loopback; headless Chromium; median of ${ROUNDS} rounds.`,
      `Load average ${loadStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end.`,
      '',
      markdownTable(['Scenario', 'Start estimate (Mbit/s)', 'First rung played', 'First frame (ms, median)', '÷ its baseline'], rows, [
        false,
        true,
        false,
        true,
        true,
      ]),
      '',
    ].join('\n');
    await emitReport(report, 'startup');
  } finally {
    await browser?.close();
    await setup.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
