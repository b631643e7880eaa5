/**
 * Runs the real ffmpeg/ffprobe on tiny synthetic sources to prove the argument builders
 * produce playable output. Set FFMPEG_PATH / FFPROBE_PATH to test another build.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildPosterArgs,
  buildStoryboardArgs,
  buildTranscodeArgs,
  DASH_MANIFEST,
  HLS_MASTER,
  InvalidSourceError,
  parseProbe,
  parseProgress,
  planLadder,
  planStoryboard,
  posterTimeSeconds,
  probeArgs,
  rewriteHlsMaster,
  type Rung,
  type SourceInfo,
} from '../src/index.ts';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], onStdout?: (chunk: string) => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout?.(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(command: string, args: string[], onStdout?: (chunk: string) => void): Promise<string> {
  const result = await run(command, args, onStdout);
  if (result.code !== 0) throw new Error(`${command} exited with ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function probe(path: string): Promise<SourceInfo> {
  // ffprobe exits non-zero on unreadable input but still prints JSON ({}), which parseProbe rejects.
  const { stdout } = await run(FFPROBE, probeArgs(path));
  return parseProbe(JSON.parse(stdout));
}

async function frameSize(path: string): Promise<string> {
  const csv = await mustRun(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]);
  return csv.trim().replace(',', 'x');
}

function attribute(line: string, name: string): string | undefined {
  return new RegExp(`(?:^|[:,])${name}=("[^"]*"|[^,]*)`).exec(line)?.[1];
}

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tube-ladder-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function synthesize(name: string, options: { audio: boolean; size?: string; extra?: string[] }): Promise<string> {
  const path = join(workDir, name);
  const audioInput = options.audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'] : [];
  await mustRun(FFMPEG, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${options.size ?? '426x240'}:rate=25`,
    ...audioInput,
    '-t',
    '3',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    ...(options.audio ? ['-c:a', 'aac'] : []),
    ...(options.extra ?? []),
    path,
  ]);
  return path;
}

async function transcode(input: string, info: SourceInfo, rungs: Rung[], outputName: string) {
  const outputDir = join(workDir, outputName);
  await mkdir(outputDir);
  const progress: number[] = [];
  const args = buildTranscodeArgs({ input, outputDir, info, rungs, segmentSeconds: 1, preset: 'ultrafast', threads: 2 });
  // Pipe chunks can split a line; hand parseProgress whole lines only, or progress=end could be missed.
  let partialLine = '';
  await mustRun(FFMPEG, args, (chunk) => {
    const text = partialLine + chunk;
    const completeUpTo = text.lastIndexOf('\n') + 1;
    partialLine = text.slice(completeUpTo);
    const fraction = parseProgress(text.slice(0, completeUpTo), info.durationSeconds);
    if (fraction !== null) progress.push(fraction);
  });
  return { outputDir, progress, files: (await readdir(outputDir)).sort() };
}

/** Every URI in a playlist (segments and EXT-X-MAP / EXT-X-MEDIA URIs). */
function referencedFiles(playlist: string): string[] {
  return playlist.split('\n').flatMap((line) => {
    if (line.startsWith('#')) {
      const uri = /URI="([^"]+)"/.exec(line)?.[1];
      return uri ? [uri] : [];
    }
    return line.trim() ? [line.trim()] : [];
  });
}

describe('transcoding with the real ffmpeg', () => {
  it('packages a 2-rung ladder with audio as DASH and HLS from the same CMAF segments', async () => {
    const input = await synthesize('with-audio.mp4', { audio: true });
    const info = await probe(input);
    expect(info).toMatchObject({ width: 426, height: 240, hasAudio: true, videoCodec: 'h264', audioCodec: 'aac', fps: 25 });
    expect(info.durationSeconds).toBeCloseTo(3, 1);

    const rungs = planLadder(info, { maxHeight: 240 });
    expect(rungs.map((rung) => `${rung.width}x${rung.height}`)).toEqual(['256x144', '426x240']);
    const { outputDir, progress, files } = await transcode(input, info, rungs, 'with-audio');

    // Streams 0 and 1 are the video rungs, stream 2 the shared audio; 3 s in 1 s segments.
    // AAC priming makes the audio a few ms longer than the video, hence a tiny 4th audio segment.
    const videoSegments = (stream: number) => [1, 2, 3].map((n) => `seg-${stream}-0000${n}.m4s`);
    const audioSegments = files.filter((file) => file.startsWith('seg-2-'));
    expect(audioSegments.slice(0, 3)).toEqual(['seg-2-00001.m4s', 'seg-2-00002.m4s', 'seg-2-00003.m4s']);
    expect(files).toEqual(
      [
        DASH_MANIFEST,
        HLS_MASTER,
        ...[0, 1].flatMap((stream) => [`init-${stream}.m4s`, `media_${stream}.m3u8`, ...videoSegments(stream)]),
        'init-2.m4s',
        'media_2.m3u8',
        ...audioSegments,
      ].sort(),
    );
    expect(progress.at(-1)).toBe(1);

    const master = await readFile(join(outputDir, HLS_MASTER), 'utf8');
    const variants = master.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
    expect(variants).toHaveLength(2);
    expect(variants.map((line) => attribute(line, 'RESOLUTION'))).toEqual(['256x144', '426x240']);
    for (const line of variants) {
      expect(Number(attribute(line, 'BANDWIDTH'))).toBeGreaterThan(0);
      expect(attribute(line, 'CODECS')).toMatch(/^"avc1\.[0-9a-f]{6},mp4a\.40\.2"$/);
    }

    for (const playlistName of referencedFiles(master)) {
      const playlist = await readFile(join(outputDir, playlistName), 'utf8');
      expect(playlist).toContain('#EXT-X-ENDLIST');
      for (const file of referencedFiles(playlist)) expect(existsSync(join(outputDir, file)), file).toBe(true);
    }

    const mpd = await readFile(join(outputDir, DASH_MANIFEST), 'utf8');
    expect(mpd.match(/<AdaptationSet /g)).toHaveLength(2);
    expect(mpd).toMatch(/<Representation id="0"[^>]*width="256" height="144"/);
    expect(mpd).toMatch(/<Representation id="2" mimeType="audio\/mp4" codecs="mp4a\.40\.2"[^>]*audioSamplingRate="48000"/);

    for (const [stream, rung] of rungs.entries()) {
      const joined = join(workDir, `rung-${stream}.mp4`);
      const parts = await Promise.all([`init-${stream}.m4s`, `seg-${stream}-00001.m4s`].map((file) => readFile(join(outputDir, file))));
      await writeFile(joined, Buffer.concat(parts));
      expect(await frameSize(joined)).toBe(`${rung.width}x${rung.height}`);
    }

    const rewritten = rewriteHlsMaster(master, rungs, info);
    const rewrittenVariants = rewritten.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF:'));
    expect(rewrittenVariants.map((line) => [attribute(line, 'BANDWIDTH'), attribute(line, 'CODECS')])).toEqual([
      [String(rungs[0]!.maxrate + rungs[0]!.audioBitrate), attribute(variants[0] ?? '', 'CODECS')],
      [String(rungs[1]!.maxrate + rungs[1]!.audioBitrate), attribute(variants[1] ?? '', 'CODECS')],
    ]);
    // 426×240 at 25 fps: 0.19 and 0.17 bits per pixel (bpp × w × h × fps), rounded to whole kbit/s.
    expect(rungs.map((rung) => rung.videoBitrate)).toEqual([
      Math.round((0.19 * 256 * 144 * 25) / 1000) * 1000,
      Math.round((0.17 * 426 * 240 * 25) / 1000) * 1000,
    ]);
  });

  it('packages a silent source without an audio adaptation set', async () => {
    const input = await synthesize('silent.mp4', { audio: false });
    const info = await probe(input);
    expect(info.hasAudio).toBe(false);
    const { outputDir, progress, files } = await transcode(input, info, planLadder(info, { maxHeight: 144 }), 'silent');

    expect(files).toEqual(['init-0.m4s', 'manifest.mpd', 'master.m3u8', 'media_0.m3u8', 'seg-0-00001.m4s', 'seg-0-00002.m4s', 'seg-0-00003.m4s']);
    expect(progress.at(-1)).toBe(1);
    const master = await readFile(join(outputDir, HLS_MASTER), 'utf8');
    expect(master).not.toContain('#EXT-X-MEDIA');
    expect(master).toMatch(/#EXT-X-STREAM-INF:BANDWIDTH=\d+,RESOLUTION=256x144,CODECS="avc1\.[0-9a-f]{6}"/);
    expect((await readFile(join(outputDir, DASH_MANIFEST), 'utf8')).match(/<AdaptationSet /g)).toHaveLength(1);
  });

  it('turns a rotated phone video upright and ladders it by its short side', async () => {
    const landscape = await synthesize('coded-landscape.mp4', { audio: false, size: '320x180' });
    const rotated = join(workDir, 'rotated.mp4');
    await mustRun(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const info = await probe(rotated);
    expect([info.width, info.height]).toEqual([180, 320]);
    expect([90, 270]).toContain(info.rotation);

    const rungs = planLadder(info, { maxHeight: 1080 });
    expect(rungs.map((rung) => `${rung.name} ${rung.width}x${rung.height}`)).toEqual(['144p 144x256']);
    const { outputDir } = await transcode(rotated, info, rungs, 'rotated');
    const joined = join(workDir, 'rotated-rung.mp4');
    const parts = await Promise.all(['init-0.m4s', 'seg-0-00001.m4s'].map((file) => readFile(join(outputDir, file))));
    await writeFile(joined, Buffer.concat(parts));
    // Upright pixels and no display matrix left over, or players would turn it a second time.
    expect(await probe(joined)).toMatchObject({ width: 144, height: 256, rotation: 0 });
  });

  it('writes a poster and a storyboard sprite of the planned size', async () => {
    const input = await synthesize('thumbnail-source.mp4', { audio: false });
    const info = await probe(input);
    const poster = join(workDir, 'poster.jpg');
    await mustRun(
      FFMPEG,
      buildPosterArgs({ input, output: poster, atSeconds: posterTimeSeconds(info.durationSeconds), width: 320, videoStreamIndex: info.videoStreamIndex }),
    );
    expect(await frameSize(poster)).toBe('320x180');

    const options = { intervalSeconds: 1, columns: 5, rows: 5, tileWidth: 160 };
    const plan = planStoryboard(info, options);
    expect(plan).toMatchObject({ interval: 1, count: 3, columns: 3, rows: 1, tileHeight: 90 });
    const sprite = join(workDir, 'storyboard.jpg');
    await mustRun(FFMPEG, buildStoryboardArgs({ input, output: sprite, info, ...options }));
    expect(await frameSize(sprite)).toBe('480x90');
  });

  it('rejects random bytes with a readable reason', async () => {
    const junk = join(workDir, 'junk.mp4');
    await writeFile(junk, Buffer.from(Array.from({ length: 64 * 1024 }, (_, index) => (index * 7919 + 13) % 251)));
    const failure = await probe(junk).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidSourceError);
    expect((failure as InvalidSourceError).reason).toBe('The file is not a video format we can read; it may be damaged or incomplete');
  });
});
