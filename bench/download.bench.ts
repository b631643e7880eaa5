/**
 * The download MP4: what Tube does (concatenate the best rung's and the audio's published CMAF fragments and
 * remux them with `-c copy -movflags +faststart`, `buildDownloadRemuxArgs`) against making the same file by
 * encoding it (the source re-encoded at the top rung's size and bitrate, as a pipeline that writes a download
 * rendition during processing would have to, or an on-demand transcode).
 *
 *   node --import tsx bench/download.bench.ts            # 60 s 720p30 source, prints a table
 *   node --import tsx bench/download.bench.ts --write    # also writes bench/results/download.md
 *   BENCH_SECONDS=20 BENCH_ROUNDS=1 node --import tsx bench/download.bench.ts
 *
 * The source is transcoded once by the real ladder (`buildTranscodeArgs`, 144p…720p); then both variants run
 * BENCH_ROUNDS times (default 3), alternating, and the medians are compared. CPU comes from ffmpeg's own
 * `-benchmark` report (getrusage of ffmpeg, all threads); the remux's wall time includes copying the fragments.
 */
import { spawn } from 'node:child_process';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildDownloadRemuxArgs,
  buildTranscodeArgs,
  formatBitrate,
  HLS_MASTER,
  parseMediaPlaylist,
  parseProbe,
  pickDownloadStreams,
  planLadder,
  probeArgs,
  type Rung,
} from '../packages/ladder/src/index.ts';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const SOURCE_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SOURCE_HEIGHT = 720;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PRESET = 'veryfast';
const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'results', 'download.md');

function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`))));
  });
}

/** Runs ffmpeg with `-benchmark` and returns its CPU seconds (user + system). */
async function ffmpegCpu(args: string[]): Promise<number> {
  const loglevelAt = args.indexOf('-loglevel');
  const verbose = loglevelAt >= 0 ? args.map((arg, index) => (index === loglevelAt + 1 ? 'info' : arg)) : args;
  const { stderr } = await run(FFMPEG, ['-benchmark', ...verbose]);
  const times = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  if (!times) throw new Error(`no -benchmark report:\n${stderr.slice(-2000)}`);
  return Number(times[1]) + Number(times[2]);
}

async function frames(file: string): Promise<number> {
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-count_packets',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number(stdout.trim());
}

interface Result {
  wallSeconds: number;
  cpuSeconds: number;
  bytes: number;
  frames: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'tube-bench-download-'));
  try {
    const source = join(work, 'source.mp4');
    await run(FFMPEG, [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=1280x${SOURCE_HEIGHT}:rate=30`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', String(SOURCE_SECONDS), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', source],
    ]);
    const info = parseProbe(JSON.parse((await run(FFPROBE, probeArgs(source))).stdout));
    const rungs = planLadder(info, { maxHeight: SOURCE_HEIGHT });
    const published = join(work, 'published');
    await mkdir(published);
    await run(FFMPEG, buildTranscodeArgs({ input: source, outputDir: published, info, rungs, segmentSeconds: 4, preset: PRESET }));
    const top = rungs.at(-1) as Rung;

    const remux = async (round: number): Promise<Result> => {
      const dir = join(work, `remux-${round}`);
      await mkdir(dir);
      const started = performance.now();
      const streams = pickDownloadStreams(await readFile(join(published, HLS_MASTER), 'utf8'));
      const concatenate = async (playlist: string, target: string) => {
        const files = parseMediaPlaylist(await readFile(join(published, playlist), 'utf8'));
        await copyFile(join(published, files.init), target);
        for (const segment of files.segments) await appendFile(target, await readFile(join(published, segment)));
      };
      const video = join(dir, 'video.mp4');
      const audio = streams.audio ? join(dir, 'audio.mp4') : null;
      await concatenate(streams.video, video);
      if (streams.audio && audio) await concatenate(streams.audio, audio);
      const output = join(dir, 'download.mp4');
      const cpuSeconds = await ffmpegCpu(buildDownloadRemuxArgs({ video, audio, output }));
      const wallSeconds = (performance.now() - started) / 1000;
      return { wallSeconds, cpuSeconds, bytes: (await stat(output)).size, frames: await frames(output) };
    };

    const encode = async (round: number): Promise<Result> => {
      const output = join(work, `encode-${round}.mp4`);
      const started = performance.now();
      const cpuSeconds = await ffmpegCpu([
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', source],
        ...['-vf', `scale=${top.width}:${top.height}`, '-c:v', 'libx264', '-preset', PRESET, '-profile:v', 'high', '-pix_fmt', 'yuv420p'],
        ...['-b:v', formatBitrate(top.videoBitrate), '-maxrate', formatBitrate(top.maxrate), '-bufsize', formatBitrate(top.bufsize)],
        ...['-c:a', 'aac', '-b:a', formatBitrate(top.audioBitrate), '-movflags', '+faststart', output],
      ]);
      const wallSeconds = (performance.now() - started) / 1000;
      return { wallSeconds, cpuSeconds, bytes: (await stat(output)).size, frames: await frames(output) };
    };

    const results: { remux: Result[]; encode: Result[] } = { remux: [], encode: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['remux', 'encode'] as const) : (['encode', 'remux'] as const);
      for (const variant of order) results[variant].push(variant === 'remux' ? await remux(round) : await encode(round));
    }
    const summary = (list: Result[]) => ({
      wall: median(list.map((r) => r.wallSeconds)),
      cpu: median(list.map((r) => r.cpuSeconds)),
      mib: list[0]!.bytes / 1024 / 1024,
      frames: list[0]!.frames,
    });
    const ours = summary(results.remux);
    const baseline = summary(results.encode);
    const rows = [
      `Source: ${SOURCE_SECONDS} s 1280×${SOURCE_HEIGHT}p30 with AAC; ladder ${rungs.map((r) => `${r.height}p`).join(', ')} (x264 ${PRESET}); ${ROUNDS} rounds, medians; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} at the end.`,
      '',
      '| Variant | Wall (s) | CPU (s) | File (MiB) | Video frames | Wall: encode ÷ this | CPU: encode ÷ this |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| Remux of the published ${top.height}p rung + audio (Tube) | ${ours.wall.toFixed(2)} | ${ours.cpu.toFixed(2)} | ${ours.mib.toFixed(1)} | ${ours.frames} | **${(baseline.wall / ours.wall).toFixed(0)}×** | **${(baseline.cpu / ours.cpu).toFixed(0)}×** |`,
      `| Encode the source at ${top.height}p (baseline) | ${baseline.wall.toFixed(2)} | ${baseline.cpu.toFixed(2)} | ${baseline.mib.toFixed(1)} | ${baseline.frames} | 1× | 1× |`,
    ];
    const table = rows.join('\n');
    console.log(table);
    if (process.argv.includes('--write')) await writeFile(RESULTS_FILE, `# Download MP4: remux vs encode\n\n${table}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
