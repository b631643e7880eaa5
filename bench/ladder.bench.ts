/**
 * Single-process split ladder (decode once, encode every rung) against the common
 * alternative of one ffmpeg process per rung, each decoding the source again.
 *
 *   node --import tsx bench/ladder.bench.ts            # 60 s 1080p30 source, prints a table
 *   node --import tsx bench/ladder.bench.ts --write    # also writes bench/results/ladder.md
 *   BENCH_SECONDS=10 BENCH_HEIGHT=480 node --import tsx bench/ladder.bench.ts
 *   BENCH_SOURCE=camera node --import tsx bench/ladder.bench.ts --write   # → results/ladder-camera.md
 *
 * BENCH_SOURCE=camera encodes the synthetic source like a phone would (High profile, CABAC,
 * B-frames, 12 Mbit/s) instead of x264 ultrafast; it is about 3× as costly to decode, and
 * decoding is exactly the work the single process does once instead of once per rung.
 *
 * All variants run in the same invocation on the same source, BENCH_ROUNDS times (default 3)
 * in rotating order, and the medians are compared as ratios against the per-rung baseline.
 * CPU time and peak memory come from ffmpeg's own `-benchmark` report (getrusage of the
 * ffmpeg process, all threads), so they are not inflated by other load on the machine.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AUDIO_BITRATE,
  buildTranscodeArgs,
  formatBitrate,
  parseProbe,
  planLadder,
  probeArgs,
  type Rung,
  type SourceInfo,
  type X264Preset,
} from '../packages/ladder/src/index.ts';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const SOURCE_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SOURCE_HEIGHT = Number(process.env.BENCH_HEIGHT ?? 1080);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SOURCE_FPS = 30;
const SEGMENT_SECONDS = 4;
const PRESET: X264Preset = 'veryfast';
const CAMERA_LIKE_SOURCE = process.env.BENCH_SOURCE === 'camera';
const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'results', CAMERA_LIKE_SOURCE ? 'ladder-camera.md' : 'ladder.md');

interface ProcessCost {
  wallSeconds: number;
  cpuSeconds: number;
  maxRssKilobytes: number;
}

interface VariantResult extends ProcessCost {
  name: string;
  processes: number;
}

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

/** Runs ffmpeg with `-benchmark` and reads its `bench: utime=… stime=…` and `bench: maxrss=…` lines. */
async function measuredFfmpeg(args: string[]): Promise<ProcessCost> {
  // The bench lines are logged at info level; the builders ask for errors only.
  const loglevelAt = args.indexOf('-loglevel');
  const verbose = loglevelAt >= 0 ? args.map((arg, index) => (index === loglevelAt + 1 ? 'info' : arg)) : args;
  const started = performance.now();
  const { stderr } = await run(FFMPEG, ['-benchmark', ...verbose]);
  const wallSeconds = (performance.now() - started) / 1000;
  const times = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  const rss = /bench: maxrss=(\d+)kB/.exec(stderr);
  if (!times || !rss) throw new Error(`no -benchmark report in ffmpeg output:\n${stderr.slice(-2000)}`);
  return { wallSeconds, cpuSeconds: Number(times[1]) + Number(times[2]), maxRssKilobytes: Number(rss[1]) };
}

/** Runs jobs with at most `concurrency` at once; wall time is for the whole batch. */
async function runBatch(name: string, jobs: string[][], concurrency: number): Promise<VariantResult> {
  const queue = [...jobs];
  const costs: ProcessCost[] = [];
  const started = performance.now();
  const lanes = Array.from({ length: concurrency }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) costs.push(await measuredFfmpeg(job));
  });
  await Promise.all(lanes);
  return {
    name,
    processes: jobs.length,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: costs.reduce((sum, cost) => sum + cost.cpuSeconds, 0),
    maxRssKilobytes: Math.max(...costs.map((cost) => cost.maxRssKilobytes)),
  };
}

async function makeSource(workDir: string): Promise<string> {
  const path = join(workDir, 'source.mp4');
  const width = Math.round((SOURCE_HEIGHT * 16) / 9 / 2) * 2;
  await run(FFMPEG, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${width}x${SOURCE_HEIGHT}:rate=${SOURCE_FPS}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(SOURCE_SECONDS),
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    ...(CAMERA_LIKE_SOURCE ? ['-preset', 'fast', '-profile:v', 'high', '-b:v', '12M'] : ['-preset', 'ultrafast']),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    path,
  ]);
  return path;
}

/** The audio a per-rung pipeline still has to encode once, packaged the same way. */
function audioOnlyArgs(input: string, info: SourceInfo, outputDir: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-i',
    input,
    '-map',
    `0:${info.audioStreamIndex ?? 'a:0'}`,
    '-c:a',
    'aac',
    '-b:a',
    formatBitrate(AUDIO_BITRATE),
    '-ac',
    '2',
    '-ar',
    '48000',
    '-f',
    'dash',
    '-seg_duration',
    String(SEGMENT_SECONDS),
    '-use_template',
    '1',
    '-use_timeline',
    '1',
    '-hls_playlist',
    '1',
    '-adaptation_sets',
    'id=0,streams=a',
    join(outputDir, 'manifest.mpd'),
  ];
}

async function freshDir(path: string): Promise<string> {
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true });
  return path;
}

async function perRungJobs(input: string, info: SourceInfo, rungs: readonly Rung[], workDir: string): Promise<string[][]> {
  const silent: SourceInfo = { ...info, hasAudio: false, audioStreamIndex: null };
  const jobs: string[][] = [];
  for (const rung of rungs) {
    const outputDir = await freshDir(join(workDir, `per-rung-${rung.name}`));
    jobs.push(buildTranscodeArgs({ input, outputDir, info: silent, rungs: [rung], segmentSeconds: SEGMENT_SECONDS, preset: PRESET }));
  }
  if (info.hasAudio) jobs.push(audioOnlyArgs(input, info, await freshDir(join(workDir, 'per-rung-audio'))));
  return jobs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function summarize(runs: VariantResult[]): VariantResult {
  const first = runs[0];
  if (!first) throw new Error('no runs to summarize');
  return {
    name: first.name,
    processes: first.processes,
    wallSeconds: median(runs.map((result) => result.wallSeconds)),
    cpuSeconds: median(runs.map((result) => result.cpuSeconds)),
    maxRssKilobytes: Math.max(...runs.map((result) => result.maxRssKilobytes)),
  };
}

function table(results: VariantResult[], baseline: VariantResult): string {
  const rows = results.map((result) => {
    const cells = [
      result.name,
      String(result.processes),
      result.wallSeconds.toFixed(1),
      result.cpuSeconds.toFixed(1),
      (result.maxRssKilobytes / 1024).toFixed(0),
      `${(SOURCE_SECONDS / result.wallSeconds).toFixed(2)}×`,
      (baseline.wallSeconds / result.wallSeconds).toFixed(2),
      (baseline.cpuSeconds / result.cpuSeconds).toFixed(2),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| Variant | ffmpeg processes | Wall (s, median) | CPU user+sys (s, median) | Peak RSS per process (MiB) | Speed (× real time) | Wall ratio baseline/variant | CPU ratio baseline/variant |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function formatLoad(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), 'tube-ladder-bench-'));
  try {
    const { stdout: versionText } = await run(FFMPEG, ['-version']);
    const ffmpegVersion = (versionText.split('\n')[0] ?? 'unknown').replace(/ Copyright.*/, '');
    console.error(`generating ${SOURCE_SECONDS} s ${SOURCE_HEIGHT}p${SOURCE_FPS} source…`);
    const input = await makeSource(workDir);
    const info = parseProbe(JSON.parse((await run(FFPROBE, probeArgs(input))).stdout));
    const rungs = planLadder(info, { maxHeight: SOURCE_HEIGHT });

    const variants: Array<{ name: string; run: () => Promise<VariantResult> }> = [
      {
        name: '(a) one process, decode once + split (ours)',
        run: async () => {
          const outputDir = await freshDir(join(workDir, 'single'));
          const args = buildTranscodeArgs({ input, outputDir, info, rungs, segmentSeconds: SEGMENT_SECONDS, preset: PRESET });
          return runBatch('(a) one process, decode once + split (ours)', [args], 1);
        },
      },
      {
        name: '(b) one process per rung, sequential (baseline)',
        run: async () => runBatch('(b) one process per rung, sequential (baseline)', await perRungJobs(input, info, rungs, workDir), 1),
      },
      {
        name: '(c) one process per rung, 2 in parallel',
        run: async () => runBatch('(c) one process per rung, 2 in parallel', await perRungJobs(input, info, rungs, workDir), 2),
      },
    ];

    const loadBefore = formatLoad();
    const runsByVariant = new Map<string, VariantResult[]>(variants.map((variant) => [variant.name, []]));
    const rawRows: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so slow drifts in machine load do not always hit the same variant.
      const order = variants.map((_, index) => variants[(index + round) % variants.length]).filter((variant) => variant !== undefined);
      for (const variant of order) {
        console.error(`round ${round + 1}/${ROUNDS}: ${variant.name}…`);
        const result = await variant.run();
        runsByVariant.get(variant.name)?.push(result);
        rawRows.push(`| ${round + 1} | ${variant.name.slice(0, 3)} | ${result.wallSeconds.toFixed(1)} | ${result.cpuSeconds.toFixed(1)} | ${formatLoad()} |`);
      }
    }
    const summaries = variants.map((variant) => summarize(runsByVariant.get(variant.name) ?? []));
    const baseline = summaries[1];
    if (!baseline) throw new Error('baseline missing');

    const report = [
      '### Transcoding ladder: single process vs one process per rung',
      '',
      `Source: ${SOURCE_SECONDS} s ${info.width}×${info.height} @ ${SOURCE_FPS} fps synthetic (testsrc2 + sine), ` +
        (CAMERA_LIKE_SOURCE ? 'H.264 High 12 Mbit/s (camera-like, x264 `fast`) + AAC. ' : 'H.264 x264 `ultrafast` (cheap to decode) + AAC. ') +
        `Ladder: ${rungs.map((rung) => rung.name).join(', ')} (libx264 \`${PRESET}\`, capped VBR, ${SEGMENT_SECONDS} s CMAF segments, AAC 128k).`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}; ${ffmpegVersion}; Node ${process.version}. ` +
        `Load average before: ${loadBefore}, after: ${formatLoad()}.`,
      `Baseline (b) runs ${rungs.length} video-only ffmpeg processes plus one audio-only process, each decoding the source itself.`,
      '',
      table(summaries, baseline),
      '',
      `Ratios above 1 mean the variant is faster / cheaper than the baseline. Medians of ${ROUNDS} rounds, variants in rotating order. ` +
        'testsrc2 encodes and decodes more cheaply than camera footage, so the absolute times are optimistic ' +
        'and the ratio is indicative only.',
      '',
      '<details><summary>Every run</summary>',
      '',
      '| Round | Variant | Wall (s) | CPU (s) | Load average after |',
      '|---:|---|---:|---:|---|',
      ...rawRows,
      '',
      '</details>',
      '',
    ].join('\n');
    console.log(report);
    if (process.argv.includes('--write')) {
      await mkdir(dirname(RESULTS_FILE), { recursive: true });
      await writeFile(RESULTS_FILE, report);
      console.error(`wrote ${RESULTS_FILE}`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
