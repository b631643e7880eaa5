/**
 * What a viewer sees of the chunked pipeline, end to end: the real API, real worker processes (PostgreSQL, Redis,
 * ffmpeg, storage on disk) and the real web app in headless Chromium (hls.js), against today's one-process path in
 * the same run.
 *
 *   npm run build:web && node --import tsx bench/chunked-watch.bench.ts            # prints the tables
 *   node --import tsx bench/chunked-watch.bench.ts --write                          # also writes bench/results/chunked-watch.md
 *
 * Per source (a camera-like file: testsrc2 + temporal noise, H.264 High 12 Mbit/s with B-frames, AAC):
 *   - upload complete → first frame playing: tus upload finished (the clock starts), the bench polls the API for
 *     `playable`/`ready`, opens the watch page at once (signed in as the owner, a page of the app already loaded) and
 *     takes the first presented frame (requestVideoFrameCallback);
 *   - stalls: the viewer keeps playing from the start while the video is processed; a stall is a `waiting` event on a
 *     <video> that was already playing and is not seeking, i.e. playback caught up with what is encoded (or
 *     downloaded). A stall counts as a wait at the encoding edge (the issue's goal: none) when the start-rung task of
 *     the chunk waited for had not finished, or finished less than a segment and a second before the wait began; the
 *     others are the player's own waits (fetching, decoding on this busy 2-core machine, which also runs the encodes).
 *     The player's reloads when a new quality appears are counted separately;
 *   - wall time to ready with 1 worker process (both modes) and, for the first source, 2 and 4 worker processes
 *     (chunked, no browser). Worker processes have their own scratch directory and share only storage and the
 *     database, like separate machines; ffmpeg threads are not limited, so N workers share the 2 cores.
 *
 * Knobs: BENCH_SOURCES (default "60:1080,600:360": seconds:height pairs; the 10-minute one is at 360p on this
 * loaded 2-core machine), BENCH_SCALE_WORKERS (default "2,4"; "" skips), BENCH_PRESET (x264, default veryfast),
 * BENCH_CHUNK_SECONDS (default 12), BENCH_SEGMENT_SECONDS (default 4), BENCH_WATCH_SECONDS (longest a viewer
 * watches, default 120), BENCH_RESULT_SUFFIX (appended to the results file name), BENCH_SOURCE_DIR (keep the made sources
 * there and reuse them in later runs), BENCH_WORKER_CONCURRENCY (foreground task slots per chunked worker process), BENCH_BACKGROUND_SLOTS (low-priority ones), BENCH_BASELINE=0 (no one-process run), BENCH_TASK_LOG=1 (print each task's start and end), BENCH_CHUNKED_VIEWER=0 (no chunked run with a viewer), BENCH_WATCH_ONLY_FROM (sources at least this many seconds long: a chunked run ends
 * once the viewer is done watching, without waiting for ready, so a long source measures first frame and stalls only).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../apps/server/test/helpers/app.ts';
import { spawnFleetWorker } from '../apps/server/test/helpers/faults.ts';
import { tusUpload, waitFor } from '../apps/server/test/helpers/media.ts';
import { measuredSpeedFactor } from '../apps/server/src/transcoding/chunked/chunked-plan.ts';
import { ChunkedRepository } from '../apps/server/src/transcoding/chunked/chunked.repository.ts';
import { makeCameraSource } from './support/camera-source.ts';
import { emitReport, markdownTable } from './support/kit.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PASSWORD = 'correct horse battery';
const SOURCES = (process.env.BENCH_SOURCES ?? '60:1080,600:360').split(',').map((pair) => {
  const [seconds, height] = pair.split(':').map(Number);
  return { seconds: seconds!, height: height! };
});
const SCALE_WORKERS = (process.env.BENCH_SCALE_WORKERS ?? '2,4')
  .split(',')
  .filter((value) => value !== '')
  .map(Number);
const PRESET = process.env.BENCH_PRESET ?? 'veryfast';
const CHUNK_SECONDS = process.env.BENCH_CHUNK_SECONDS ?? '12';
const SEGMENT_SECONDS = process.env.BENCH_SEGMENT_SECONDS ?? '4';
/** Appended to the results file name, so runs of different sources can be kept apart. */
const RESULT_SUFFIX = process.env.BENCH_RESULT_SUFFIX ?? '';
const WATCH_SECONDS = Number(process.env.BENCH_WATCH_SECONDS ?? 120);
const SOURCE_DIR = process.env.BENCH_SOURCE_DIR || null;
const WATCH_ONLY_FROM = Number(process.env.BENCH_WATCH_ONLY_FROM || Number.POSITIVE_INFINITY);
/** BENCH_BASELINE=0 leaves out the one-process run (its ratios then show –). */
const BASELINE = process.env.BENCH_BASELINE !== '0';
/** Task slots per chunked worker process (BENCH_WORKER_CONCURRENCY, BENCH_BACKGROUND_SLOTS; the server's defaults when unset). */
const CHUNKED_SLOTS: Record<string, string> = {
  ...(process.env.BENCH_WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.BENCH_WORKER_CONCURRENCY } : {}),
  ...(process.env.BENCH_BACKGROUND_SLOTS ? { WORKER_BACKGROUND_SLOTS: process.env.BENCH_BACKGROUND_SLOTS } : {}),
};
const MODE_ENV = (mode: 'single' | 'chunked'): Record<string, string> => ({
  ...(mode === 'chunked' ? CHUNKED_SLOTS : {}),
  TRANSCODE_MODE: mode,
  X264_PRESET: PRESET,
  SEGMENT_SECONDS,
  CHUNK_SECONDS,
  TRANSCODE_MAX_HEIGHT: '1080',
});

/** A worker process (ROLE=worker) on the API's database and media storage with its own scratch disk, as another machine. */
async function startWorkerProcess(app: TestApp, env: Record<string, string>): Promise<{ child: ChildProcess; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-worker-'));
  const worker = spawnFleetWorker(app, env, dataDir);
  await worker.running(120_000).catch((error: unknown) => {
    worker.child.kill('SIGKILL');
    throw error;
  });
  return { child: worker.child, dataDir };
}

async function stopWorkers(workers: { child: ChildProcess; dataDir: string }[]): Promise<void> {
  await Promise.all(
    workers.map(async ({ child, dataDir }) => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    }),
  );
}

/**
 * Installed before the app loads: the first presented frame (epoch ms, to compare with this process's clock) and
 * stalls on every <video> the page creates (the player remounts when a new quality appears).
 */
const WATCH_PROBE = `(() => {
  const state = { firstFrameAt: null, stalls: [], stallTimes: [], elements: 0, played: new WeakSet() };
  window.__watch = state;
  const seen = new WeakSet();
  const attach = (video) => {
    if (seen.has(video)) return;
    seen.add(video);
    state.elements += 1;
    video.requestVideoFrameCallback(() => { if (state.firstFrameAt === null) state.firstFrameAt = Date.now(); });
  };
  new MutationObserver(() => document.querySelectorAll('video').forEach(attach)).observe(document, { childList: true, subtree: true });
  document.addEventListener('playing', (event) => state.played.add(event.target), true);
  document.addEventListener('waiting', (event) => {
    const video = event.target;
    if (state.played.has(video) && !video.seeking && !video.ended) {
      state.stalls.push(Math.round(video.currentTime * 10) / 10);
      state.stallTimes.push(Date.now());
    }
  }, true);
})();`;

interface WatchState {
  firstFrameAt: number | null;
  stalls: number[];
  /** Wall time (ms) of each stall. */
  stallTimes: number[];
  elements: number;
  currentTime: number;
  paused: boolean;
  ended: boolean;
}

const readWatch = (page: Page) =>
  page.evaluate((): WatchState => {
    const state = (window as unknown as { __watch: { firstFrameAt: number | null; stalls: number[]; stallTimes: number[]; elements: number } }).__watch;
    const video = document.querySelector<HTMLVideoElement>('[data-testid=player-video]');
    return {
      firstFrameAt: state.firstFrameAt,
      stalls: [...state.stalls],
      stallTimes: [...state.stallTimes],
      elements: state.elements,
      currentTime: video?.currentTime ?? 0,
      paused: video?.paused ?? true,
      ended: video?.ended ?? false,
    };
  });

/** Upload complete → first frame, step by step (seconds after the upload completed), from the database's timestamps. */
interface Timeline {
  planPickedUp: number | null;
  planWritten: number | null;
  firstChunkStarted: number | null;
  firstChunkDone: number | null;
  audioStarted: number | null;
  audioDone: number | null;
  playable: number | null;
}

interface TaskJob {
  /** null for the plan job (`video.transcode`). */
  task: string | null;
  started_on: Date | null;
  completed_on: Date | null;
}

/** Every pg-boss job of the video's pipeline (plan, tasks, audio), live or archived, in start order. */
async function taskJobsOf(app: TestApp, videoId: string): Promise<TaskJob[]> {
  const names = ['video.transcode', 'video.transcode-task', 'video.transcode-audio'];
  const { rows } = await sql<TaskJob>`
    SELECT data->>'task' AS task, started_on, completed_on FROM pgboss.job WHERE name = ANY(${names}) AND data->>'videoId' = ${videoId}
    UNION ALL
    SELECT data->>'task' AS task, started_on, completed_on FROM pgboss.archive WHERE name = ANY(${names}) AND data->>'videoId' = ${videoId}
    ORDER BY started_on`.execute(app.infra.db);
  return rows;
}

async function timelineOf(app: TestApp, videoId: string, uploadedAt: number): Promise<Timeline> {
  const jobs = await taskJobsOf(app, videoId);
  const plan = await sql<{
    started_at: Date;
    playable_at: Date | null;
  }>`SELECT started_at, playable_at FROM transcode_plans WHERE video_id = ${videoId}`.execute(app.infra.db);
  const after = (date: Date | null | undefined) => (date ? (date.getTime() - uploadedAt) / 1000 : null);
  const earliest = (task: string | null, field: 'started_on' | 'completed_on') => {
    const times = jobs.filter((row) => row.task === task && row[field]).map((row) => row[field]!.getTime());
    return times.length ? after(new Date(Math.min(...times))) : null;
  };
  return {
    planPickedUp: earliest(null, 'started_on'),
    planWritten: after(plan.rows[0]?.started_at),
    firstChunkStarted: earliest('video:0:low', 'started_on'),
    firstChunkDone: earliest('video:0:low', 'completed_on'),
    audioStarted: earliest('audio', 'started_on'),
    audioDone: earliest('audio', 'completed_on'),
    playable: after(plan.rows[0]?.playable_at),
  };
}

/** Every task's start and end (seconds after the upload completed), in start order, for BENCH_TASK_LOG=1. */
async function taskLogOf(app: TestApp, videoId: string, uploadedAt: number): Promise<string> {
  const rows = (await taskJobsOf(app, videoId)).filter((row) => row.task !== null);
  const at = (date: Date | null) => (date ? ((date.getTime() - uploadedAt) / 1000).toFixed(1) : '–');
  return rows.map((row) => `  ${row.task}: ${at(row.started_on)} → ${at(row.completed_on)}`).join('\n');
}

/** Which of the stalls (positions) came at the encoding edge (see `Measurement.edgeStalls`). */
async function edgeStallsOf(app: TestApp, videoId: string, watch: WatchState, stalls: number[]): Promise<number[]> {
  const planRow = await sql<{ plan: { chunks: { index: number; startSeconds: number; endSeconds: number }[]; segmentSeconds: number } }>`
    SELECT plan FROM transcode_plans WHERE video_id = ${videoId}`.execute(app.infra.db);
  const plan = planRow.rows[0]?.plan;
  if (!plan) return stalls;
  const rows = await taskJobsOf(app, videoId);
  const doneAt = (chunkIndex: number) =>
    rows.find((row) => (row.task === `video:${chunkIndex}:low` || row.task === `video:${chunkIndex}:all`) && row.completed_on)?.completed_on?.getTime() ?? null;
  return stalls.filter((position) => {
    const at = watch.stallTimes[watch.stalls.indexOf(position)] ?? Number.POSITIVE_INFINITY;
    // Waiting just before a chunk's start is waiting for that chunk.
    const wanted = position + 0.5;
    const chunk = plan.chunks.find((candidate) => wanted >= candidate.startSeconds && wanted < candidate.endSeconds) ?? plan.chunks.at(-1)!;
    const done = doneAt(chunk.index);
    if (process.env.BENCH_TASK_LOG)
      process.stderr.write(
        `  stall at ${position} s: chunk ${chunk.index}, its start rungs ${done === null ? 'not done' : `done ${((at - done) / 1000).toFixed(1)} s before`}\n`,
      );
    return done === null || at - done < (plan.segmentSeconds + 1) * 1000;
  });
}

/** Busy and total CPU time of the whole machine so far (/proc/stat, in clock ticks). */
async function machineCpu(): Promise<{ busy: number; total: number }> {
  const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

interface Measurement {
  label: string;
  timeline: Timeline | null;
  mode: 'single' | 'chunked';
  workers: number;
  watchableSeconds: number;
  firstFrameSeconds: number | null;
  /** Null when the run ended after watching (BENCH_WATCH_ONLY_FROM). */
  readySeconds: number | null;
  stalls: number[] | null;
  /**
   * The stalls where the viewer had reached what was encoded: the start-rung task of the chunk holding that
   * position had not finished, or finished less than a segment and a second (publish, the player's playlist reload)
   * before the wait began. The others are waits of the player itself (fetching, decoding on this busy machine).
   */
  edgeStalls: number[] | null;
  reloads: number | null;
  watchedSeconds: number | null;
  loadAverage: string;
}

async function measure(options: {
  label: string;
  mode: 'single' | 'chunked';
  workers: number;
  source: string;
  browser: Browser | null;
  watchOnly: boolean;
}): Promise<Measurement> {
  const env = MODE_ENV(options.mode);
  const app = await startTestApp({ WEB_DIST_DIR: path.join(ROOT, 'apps/web/dist'), ...env }, 'all', { withWorker: false });
  const workers: { child: ChildProcess; dataDir: string }[] = [];
  const context = options.browser ? await options.browser.newContext({ viewport: { width: 960, height: 720 } }) : null;
  try {
    const baseUrl = await app.app.listen({ port: 0, host: '127.0.0.1' });
    for (let index = 0; index < options.workers; index++) workers.push(await startWorkerProcess(app, env));
    const username = `bench${Date.now().toString(36)}`;
    const owner = await registerUser(app.app, username, PASSWORD);
    let page: Page | null = null;
    if (context) {
      page = await context.newPage();
      await page.goto(`${baseUrl}/signin`);
      await page.getByLabel('Username or email').fill(username);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('avatar-button').waitFor({ timeout: 60_000 });
      await context.addInitScript(WATCH_PROBE);
    }
    const created = (
      await app.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: options.label } })
    ).json<{ id: string }>();
    await tusUpload(options.source, { endpoint: `${baseUrl}/api/v1/uploads`, token: owner.accessToken, videoId: created.id });
    const uploadedAt = Date.now();
    const cpuAtUpload = await machineCpu();
    const since = () => (Date.now() - uploadedAt) / 1000;
    const status = async () => (await app.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(owner.accessToken) })).json<Video>();
    const watchable = await waitFor(
      async () => {
        const video = await status();
        if (video.status === 'failed') throw new Error(`${options.label}: transcoding failed: ${video.error ?? ''}`);
        return video.status === 'playable' || video.status === 'ready' ? video : undefined;
      },
      3 * 3600_000,
      'the video to become watchable',
    );
    const watchableSeconds = since();
    let readySeconds: number | null = watchable.status === 'ready' ? watchableSeconds : null;
    let firstFrameSeconds: number | null = null;
    let watch: WatchState | null = null;
    let watchStarted = 0;
    if (page) {
      await page.goto(`${baseUrl}/watch/${created.id}`);
      watchStarted = Date.now();
    }
    // Watch from the start while it is processed: until ready, the end of the video, or WATCH_SECONDS of watching.
    for (;;) {
      if (readySeconds === null) {
        const video = await status();
        if (video.status === 'failed') throw new Error(`${options.label}: transcoding failed: ${video.error ?? ''}`);
        if (video.status === 'ready') readySeconds = since();
      }
      if (page) {
        watch = await readWatch(page);
        if (firstFrameSeconds === null && watch.firstFrameAt !== null) firstFrameSeconds = (watch.firstFrameAt - uploadedAt) / 1000;
        if (watch.paused && !watch.ended)
          await page.evaluate(() =>
            document
              .querySelector<HTMLVideoElement>('[data-testid=player-video]')
              ?.play()
              .catch(() => undefined),
          );
      }
      const watchDone = !page || (firstFrameSeconds !== null && (watch?.ended || readySeconds !== null || (Date.now() - watchStarted) / 1000 > WATCH_SECONDS));
      if ((readySeconds !== null || (options.watchOnly && firstFrameSeconds !== null)) && watchDone) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (watch?.stalls.length)
      process.stderr.write(
        `  stalls (position s @ seconds after the upload): ${watch.stalls.map((position, index) => `${position} @ ${(((watch!.stallTimes[index] ?? 0) - uploadedAt) / 1000).toFixed(1)}`).join(', ')}; played to ${watch.currentTime.toFixed(1)} s\n`,
      );
    const stalls = watch ? [...new Set(watch.stalls)].filter((position) => position < (watchable.durationSeconds ?? Number.POSITIVE_INFINITY) - 0.5) : null;
    const cpuAtEnd = await machineCpu();
    process.stderr.write(
      `  machine CPU busy from upload to the end: ${((100 * (cpuAtEnd.busy - cpuAtUpload.busy)) / (cpuAtEnd.total - cpuAtUpload.total)).toFixed(0)} %\n`,
    );
    if (process.env.BENCH_TASK_LOG && options.mode === 'chunked') {
      process.stderr.write(`${await taskLogOf(app, created.id, uploadedAt)}\n`);
      // What the next plan on this fleet would be made for (the fixed model's 1.3 until measured).
      const factor = measuredSpeedFactor(await new ChunkedRepository(app.infra.db).recentStartRungTasks(24, 60));
      process.stderr.write(`  speed factor measured from this run's start-rung tasks: ${factor ?? 'too few samples'}\n`);
    }
    return {
      label: options.label,
      timeline: options.mode === 'chunked' ? await timelineOf(app, created.id, uploadedAt) : null,
      mode: options.mode,
      workers: options.workers,
      watchableSeconds,
      firstFrameSeconds,
      readySeconds,
      // One stall per position (hls.js may fire `waiting` again while it waits); a wait at the very end is for the
      // final playlist (ENDLIST), not for any picture, and is left out.
      stalls,
      edgeStalls: stalls && options.mode === 'chunked' ? await edgeStallsOf(app, created.id, watch!, stalls) : null,
      reloads: watch ? Math.max(0, watch.elements - 1) : null,
      watchedSeconds: watch ? watch.currentTime : null,
      loadAverage: loadavg()[0]!.toFixed(1),
    };
  } finally {
    await context?.close();
    await stopWorkers(workers);
    await app.close();
  }
}

const seconds = (value: number | null) => (value === null ? '–' : value.toFixed(1));

async function main(): Promise<void> {
  const loadAtStart = loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
  const workDir = await mkdtemp(path.join(tmpdir(), 'tube-bench-chunked-watch-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking'],
  });
  const sections: string[] = [];
  try {
    for (const [index, spec] of SOURCES.entries()) {
      process.stderr.write(`making a ${spec.seconds} s ${spec.height}p camera-like source…\n`);
      const source = await makeCameraSource(SOURCE_DIR ?? workDir, spec.seconds, spec.height);
      const name = `${spec.seconds} s ${spec.height}p30`;
      const results: Measurement[] = [];
      const plan: { mode: 'single' | 'chunked'; workers: number; browser: boolean }[] = [
        ...(BASELINE ? [{ mode: 'single' as const, workers: 1, browser: true }] : []),
        ...(process.env.BENCH_CHUNKED_VIEWER !== '0' ? [{ mode: 'chunked' as const, workers: 1, browser: true }] : []),
        ...(index === 0 ? SCALE_WORKERS.map((workers) => ({ mode: 'chunked' as const, workers, browser: false })) : []),
      ];
      for (const step of plan) {
        const label = `${name}, ${step.mode === 'single' ? 'one process (today)' : 'chunked'}, ${step.workers} worker${step.workers > 1 ? 's' : ''}${step.browser ? '' : ', no viewer'}`;
        process.stderr.write(`${label}…\n`);
        const watchOnly = step.mode === 'chunked' && spec.seconds >= WATCH_ONLY_FROM;
        results.push(await measure({ label, mode: step.mode, workers: step.workers, source, browser: step.browser ? browser : null, watchOnly }));
        const last = results.at(-1)!;
        process.stderr.write(
          `  watchable ${seconds(last.watchableSeconds)} s, first frame ${seconds(last.firstFrameSeconds)} s, ready ${seconds(last.readySeconds)} s, stalls ${last.stalls?.length ?? '–'} (at the encoding edge: ${last.edgeStalls?.length ?? '–'})\n`,
        );
        if (last.timeline) process.stderr.write(`  timeline ${JSON.stringify(last.timeline)}\n`);
      }
      const single = results.find((result) => result.mode === 'single') ?? null;
      const oneWorker = results.find((result) => result.mode === 'chunked') ?? null;
      const rows = results.map((result) => [
        result.label,
        seconds(result.watchableSeconds),
        seconds(result.firstFrameSeconds),
        result.firstFrameSeconds !== null && single?.firstFrameSeconds != null
          ? `**${(result.firstFrameSeconds / single.firstFrameSeconds).toFixed(2)}×**`
          : '–',
        result.stalls === null
          ? '–'
          : result.mode === 'single'
            ? `${result.stalls.length} (after ready)`
            : `${result.stalls.length}${result.stalls.length ? ` (at ${result.stalls.join(', ')} s; ${result.edgeStalls?.length ?? '?'} at the encoding edge)` : ''}`,
        result.reloads === null ? '–' : String(result.reloads),
        seconds(result.readySeconds),
        result.readySeconds !== null && single?.readySeconds != null ? `${(result.readySeconds / single.readySeconds).toFixed(2)}×` : '–',
        result.mode === 'chunked' && result.readySeconds !== null && oneWorker?.readySeconds != null
          ? `${(result.readySeconds / oneWorker.readySeconds).toFixed(2)}×`
          : '–',
        result.loadAverage,
      ]);
      sections.push(
        `### ${name} camera-like source (H.264 High 12 Mbit/s, AAC)`,
        '',
        markdownTable(
          [
            'Run',
            'Upload → playable/ready in API (s)',
            'Upload → first frame in Chromium (s)',
            'First frame ÷ one process',
            'Stalls while watching from the start',
            'Player reloads (new qualities)',
            'Upload → ready (s)',
            'Ready ÷ one process',
            'Ready ÷ chunked 1 worker',
            'Load (1 min) at end',
          ],
          rows,
          [false, true, true, true, false, true, true, true, true, true],
        ),
        '',
      );
      const timed = results.filter((result) => result.timeline && result.firstFrameSeconds !== null);
      if (timed.length)
        sections.push(
          'Where the time to the first frame goes (seconds after the upload completed; database timestamps, first frame from the page):',
          '',
          markdownTable(
            [
              'Run',
              'Plan job picked up',
              'Plan written',
              'Audio started',
              'Chunk 0 cheap tier started',
              'Chunk 0 cheap tier done',
              'Playable',
              'First frame',
              'Audio done',
            ],
            timed.map((result) => {
              const timeline = result.timeline!;
              return [
                result.label,
                seconds(timeline.planPickedUp),
                seconds(timeline.planWritten),
                seconds(timeline.audioStarted),
                seconds(timeline.firstChunkStarted),
                seconds(timeline.firstChunkDone),
                seconds(timeline.playable),
                seconds(result.firstFrameSeconds),
                seconds(timeline.audioDone),
              ];
            }),
            [false, true, true, true, true, true, true, true, true],
          ),
          '',
        );
    }
  } finally {
    await browser.close();
    await rm(workDir, { recursive: true, force: true });
  }
  const report = [
    '# Chunked pipeline, end to end: upload → first frame, stalls, wall to ready',
    '',
    `Command: \`npm run build:web && node --import tsx bench/chunked-watch.bench.ts --write\`. Real API + ${'`ROLE=worker`'} processes + the web app in headless Chromium (hls.js, 960×720 viewport). x264 \`${PRESET}\`, ${SEGMENT_SECONDS} s segments, ${CHUNK_SECONDS} s chunks, ladder up to 1080p. One run per row; load average (1/5/15 min) ${loadAtStart} at start, ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' / ')} at end.`,
    '',
    ...sections,
  ].join('\n');
  await emitReport(report, `chunked-watch${RESULT_SUFFIX}`);
}

await main();
