/**
 * The chunked pipeline's ffmpeg work against today's one-process ladder, on the same source in one run.
 *
 *   node --import tsx bench/chunked.bench.ts            # 60 s 1080p30 camera-like source, prints a table
 *   node --import tsx bench/chunked.bench.ts --write    # also writes bench/results/chunked.md
 *   BENCH_SECONDS=20 BENCH_HEIGHT=480 node --import tsx bench/chunked.bench.ts   # quick smoke run
 *   BENCH_SOURCE_DIR=/path/to/keep …   # reuse the camera-like source (`support/camera-source.ts`, the end-to-end bench's too)
 *
 * Measured (CPU from ffmpeg's own `-benchmark` getrusage, so other load on the machine inflates wall time
 * but hardly CPU time):
 *   - single: `buildTranscodeArgs`, the one ffmpeg per video that TRANSCODE_MODE=single runs;
 *   - chunked, 1 worker: every task of `scheduleTasks` (audio, each lead chunk × tier, each later chunk's one
 *     whole-ladder task) one after another in priority order; "playable" = when the audio and chunk 0 of the
 *     cheap tier are done; and where a viewer starting then would catch up with the start rungs;
 *   - chunked, 2 workers: the same tasks on 2 lanes, x264 limited to 1 thread each so they share the cores.
 * Then a simulation of 1…64 workers for a 2-hour upload from the measured per-task CPU cost (list scheduling
 * in priority order, each task costing its measured CPU seconds per second of video, audio scaled by length).
 * Poster and storyboard are left out of both sides (the same ffmpeg calls in both pipelines).
 * Not measured here: the API/queue overhead and the first frame in a browser (see BENCHMARKS.md).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAudioArgs, buildChunkArgs, buildTranscodeArgs, parseProbe, probeArgs, type X264Preset } from '../packages/ladder/src/index.ts';
import { makeCameraSource } from './support/camera-source.ts';
import { buildChunkedPlan, scheduleTasks, tiersOfChunk, type ChunkedPlan, type TaskSpec } from '../apps/server/src/transcoding/chunked/chunked-plan.ts';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const SOURCE_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SOURCE_HEIGHT = Number(process.env.BENCH_HEIGHT ?? 1080);
const SEGMENT_SECONDS = 4;
const CHUNK_SECONDS = Number(process.env.BENCH_CHUNK_SECONDS ?? 12);
/** CHUNK_SPLIT_SECONDS: chunks starting before it get a cheap and an expensive task, later ones one task for every rung. */
const SPLIT_SECONDS = Number(process.env.BENCH_SPLIT_SECONDS ?? 36);
const PLAN_OPTIONS = { maxHeight: 1080, segmentSeconds: SEGMENT_SECONDS, chunkSeconds: CHUNK_SECONDS, splitSeconds: SPLIT_SECONDS };
const PRESET: X264Preset = 'veryfast';
/** Where the source is kept between runs (made once); by default a temporary directory. */
const SOURCE_DIR = process.env.BENCH_SOURCE_DIR || null;
const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'results', 'chunked.md');

interface Cost {
  wallSeconds: number;
  cpuSeconds: number;
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`))));
  });
}

async function measuredFfmpeg(args: string[]): Promise<Cost> {
  const loglevelAt = args.indexOf('-loglevel');
  const verbose = loglevelAt >= 0 ? args.map((arg, index) => (index === loglevelAt + 1 ? 'info' : arg)) : args;
  const started = performance.now();
  const { stderr } = await run(FFMPEG, ['-benchmark', ...verbose]);
  const times = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  if (!times) throw new Error(`no -benchmark report in ffmpeg output:\n${stderr.slice(-2000)}`);
  return { wallSeconds: (performance.now() - started) / 1000, cpuSeconds: Number(times[1]) + Number(times[2]) };
}

function taskArgs(plan: ChunkedPlan, task: TaskSpec, input: string, outputDir: string, threads: number | undefined): string[] {
  if (task.kind === 'audio')
    return buildAudioArgs({ input, outputDir, audioStreamIndex: plan.info.audioStreamIndex!, segmentSeconds: SEGMENT_SECONDS, bitrate: 128_000 });
  const chunk = plan.chunks[task.chunkIndex]!;
  const tier = tiersOfChunk(plan, task.chunkIndex).find((candidate) => candidate.name === task.tier)!;
  const rungs = tier.rungIndexes.map((index) => plan.rungs[index]!);
  return buildChunkArgs({
    input,
    outputDir,
    info: plan.info,
    rungs,
    chunk,
    segmentSeconds: SEGMENT_SECONDS,
    preset: PRESET,
    ...(threads === undefined ? {} : { threads }),
  });
}

interface TaskRun extends Cost {
  task: TaskSpec;
  finishedAtSeconds: number;
}

/** Runs the tasks in priority order on `workers` lanes, as the queue would hand them out. */
async function runChunked(
  plan: ChunkedPlan,
  input: string,
  workDir: string,
  workers: number,
  threads: number | undefined,
): Promise<{ wallSeconds: number; runs: TaskRun[] }> {
  const queue = scheduleTasks(plan)
    .filter((task) => task.kind !== 'thumbnails')
    .sort((a, b) => b.priority - a.priority);
  const runs: TaskRun[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, lane) => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        const outputDir = join(workDir, `lane-${lane}-${task.task.replaceAll(':', '-')}`);
        await mkdir(outputDir, { recursive: true });
        const cost = await measuredFfmpeg(taskArgs(plan, task, input, outputDir, threads));
        runs.push({ ...cost, task, finishedAtSeconds: (performance.now() - started) / 1000 });
        await rm(outputDir, { recursive: true, force: true });
      }
    }),
  );
  return { wallSeconds: (performance.now() - started) / 1000, runs };
}

function playableAt(runs: readonly TaskRun[], plan: ChunkedPlan): number {
  const firstTier = plan.tiers[0]!.name;
  const needed = runs.filter((run) => run.task.kind === 'audio' || (run.task.kind === 'video' && run.task.chunkIndex === 0 && run.task.tier === firstTier));
  return Math.max(...needed.map((run) => run.finishedAtSeconds));
}

/**
 * Where a viewer who starts 1 s after `playable` and plays in real time would catch up with the start rungs, from
 * the finish times of the 1-worker run (wall time: load on the machine makes it pessimistic).
 */
function catchUps(runs: readonly TaskRun[], plan: ChunkedPlan): number[] {
  const viewerStarts = playableAt(runs, plan) + 1;
  return plan.chunks.flatMap((chunk) => {
    const startTier = tiersOfChunk(plan, chunk.index)[0]!.name;
    const done = runs.find((run) => run.task.kind === 'video' && run.task.chunkIndex === chunk.index && run.task.tier === startTier)!;
    return done.finishedAtSeconds > viewerStarts + chunk.startSeconds ? [chunk.startSeconds] : [];
  });
}

/**
 * The same from CPU time, robust to load: the 1-worker run replayed as if each task took its CPU seconds ÷ the
 * machine's cores (an idle machine, ffmpeg on every core) plus `overheadSeconds` (queue hop, upload, publish).
 */
function catchUpsFromCpu(runs: readonly TaskRun[], plan: ChunkedPlan, overheadSeconds: number): { playable: number; catchUps: number[] } {
  let clock = 0;
  const replayed = runs.map((run) => {
    clock += run.cpuSeconds / cpus().length + overheadSeconds;
    return { ...run, finishedAtSeconds: clock };
  });
  return { playable: playableAt(replayed, plan), catchUps: catchUps(replayed, plan) };
}

/** List scheduling of a long upload from measured CPU seconds per second of video for each kind of task. */
function simulate(plan: ChunkedPlan, runs: readonly TaskRun[], durationSeconds: number, workers: number): { wall: number; total: number } {
  const perSecond = new Map<string, number[]>();
  for (const run of runs) {
    const seconds =
      run.task.kind === 'audio' ? plan.info.durationSeconds : plan.chunks[run.task.chunkIndex]!.endSeconds - plan.chunks[run.task.chunkIndex]!.startSeconds;
    const key = run.task.kind === 'audio' ? 'audio' : `video:${run.task.tier}`;
    perSecond.set(key, [...(perSecond.get(key) ?? []), run.cpuSeconds / seconds]);
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const longPlan = buildChunkedPlan({ ...plan.info, durationSeconds }, PLAN_OPTIONS);
  const tasks = scheduleTasks(longPlan)
    .filter((task) => task.kind !== 'thumbnails')
    .sort((a, b) => b.priority - a.priority);
  const costs = tasks.map((task) => {
    if (task.kind === 'audio') return mean(perSecond.get('audio') ?? [0]) * durationSeconds;
    const chunk = longPlan.chunks[task.chunkIndex]!;
    return mean(perSecond.get(`video:${task.tier}`) ?? [0]) * (chunk.endSeconds - chunk.startSeconds);
  });
  // Each worker is one core's worth of CPU; a task runs on the worker that frees up first.
  const free = Array.from({ length: workers }, () => 0);
  for (const cost of costs) {
    const lane = free.indexOf(Math.min(...free));
    free[lane] = free[lane]! + cost;
  }
  return { wall: Math.max(...free), total: costs.reduce((sum, cost) => sum + cost, 0) };
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const describeCatchUps = (at: number[]) =>
  at.length ? `catches up with the start rungs at ${at.join(', ')} s of video` : 'never catches up with the start rungs';

async function main(): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), 'tube-chunked-bench-'));
  const loadAtStart = loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
  try {
    console.error(`making a ${SOURCE_SECONDS} s ${SOURCE_HEIGHT}p source…`);
    const input = await makeCameraSource(SOURCE_DIR ?? workDir, SOURCE_SECONDS, SOURCE_HEIGHT);
    const info = parseProbe(JSON.parse((await run(FFPROBE, probeArgs(input))).stdout));
    const plan = buildChunkedPlan(info, PLAN_OPTIONS);

    console.error('single process…');
    const singleDir = join(workDir, 'single');
    await mkdir(singleDir);
    const single = await measuredFfmpeg(
      buildTranscodeArgs({ input, outputDir: singleDir, info, rungs: plan.rungs, segmentSeconds: SEGMENT_SECONDS, preset: PRESET }),
    );
    console.error('chunked, 1 worker…');
    const one = await runChunked(plan, input, workDir, 1, undefined);
    console.error('chunked, 2 workers…');
    const two = await runChunked(plan, input, workDir, 2, 1);
    const loadAtEnd = loadavg()
      .map((value) => value.toFixed(1))
      .join(' / ');

    const cpu = (runs: readonly TaskRun[]) => runs.reduce((sum, run) => sum + run.cpuSeconds, 0);
    const rows = [
      ['single process (today)', single.wallSeconds, single.cpuSeconds, single.wallSeconds],
      ['chunked, 1 worker', one.wallSeconds, cpu(one.runs), playableAt(one.runs, plan)],
      ['chunked, 2 workers (x264 1 thread each)', two.wallSeconds, cpu(two.runs), playableAt(two.runs, plan)],
    ] as const;
    const lines = [
      `Source: ${SOURCE_SECONDS} s ${info.width}×${info.height} ${info.fps} fps camera-like (noise, H.264 High 12 Mbit/s, AAC); ladder ${plan.rungs.map((rung) => rung.name).join(', ')}; x264 \`${PRESET}\`; ${SEGMENT_SECONDS} s segments; ${plan.chunks.length} chunks (${plan.chunks.map((chunk) => chunk.endSeconds - chunk.startSeconds).join(', ')} s${plan.tiers.length > 1 ? `; the first ${plan.splitChunks} split${plan.alsoSplit?.length ? ` and ${plan.alsoSplit.length} later ones` : ''}` : ''}) × tiers ${plan.tiers.map((tier) => `${tier.name} (${tier.rungIndexes.map((index) => plan.rungs[index]!.name).join('–')})`).join(', ')}.`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; load average (1/5/15 min) ${loadAtStart} at start, ${loadAtEnd} at end.`,
      '',
      '| Variant | Wall to ready (s) | Σ CPU (s) | CPU ÷ single | Wall ÷ single | Ladder start playable after (s) |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(
        ([name, wall, cpuSeconds, playable]) =>
          `| ${name} | ${fixed(wall)} | ${fixed(cpuSeconds)} | **${fixed(cpuSeconds / single.cpuSeconds, 2)}×** | ${fixed(wall / single.wallSeconds, 2)}× | ${fixed(playable)} (${fixed(playable / single.wallSeconds, 2)}× single's ready) |`,
      ),
      '',
      `Viewer starting 1 s after playable, 1 worker run: ${describeCatchUps(catchUps(one.runs, plan))} (wall time, load included); replayed from CPU time ÷ ${cpus().length} cores + 1 s per task (an idle machine): playable after ${fixed(catchUpsFromCpu(one.runs, plan, 1).playable)} s, ${describeCatchUps(catchUpsFromCpu(one.runs, plan, 1).catchUps)}.`,
      '',
      `Per task (1 worker run): ${one.runs.map((run) => `${run.task.task} ${fixed(run.cpuSeconds)} s CPU`).join(', ')}.`,
      '',
      `Simulated 2-hour upload (7200 s) from these per-task costs, one core per worker:`,
      '',
      '| Workers | Wall (s) | Total work ÷ workers (s) | Wall ÷ ideal |',
      '|---:|---:|---:|---:|',
      ...[1, 2, 4, 8, 16, 32, 64].map((workers) => {
        const { wall, total } = simulate(plan, one.runs, 7200, workers);
        return `| ${workers} | ${fixed(wall, 0)} | ${fixed(total / workers, 0)} | ${fixed(wall / (total / workers), 2)}× |`;
      }),
    ];
    const report = lines.join('\n');
    console.log(report);
    if (process.argv.includes('--write')) {
      await mkdir(dirname(RESULTS_FILE), { recursive: true });
      await writeFile(RESULTS_FILE, `# Chunked vs one-process transcoding\n\nCommand: \`node --import tsx bench/chunked.bench.ts --write\`\n\n${report}\n`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
