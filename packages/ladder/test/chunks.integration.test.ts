/**
 * The chunked pipeline's argument builders and fragment re-timing against the real ffmpeg: a 30 s source
 * encoded as 5 independent chunks (a one-segment first chunk, doubling up to 10 s) plus one audio job must play as
 * if it had been encoded in one piece, with no visible seam (SSIM at the chunk boundaries as inside the chunks).
 * One chunk is encoded one rung per ffmpeg (as a split lead chunk's tiers are) and the others every rung in one
 * ffmpeg (as a later chunk's one task): the init segments must still be identical.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAudioArgs,
  buildChunkArgs,
  buildDashManifest,
  buildMasterPlaylist,
  buildMediaPlaylist,
  CHUNK_FILES,
  fragmentTiming,
  measureBandwidth,
  parseProbe,
  placeAudioSegments,
  placeChunkSegments,
  planChunks,
  planLadder,
  probeArgs,
  publishedNames,
  rungSampleAspectRatio,
  sampleDescription,
  type PlacedStream,
  type Rung,
  type SourceInfo,
} from '../src/index.ts';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const SEGMENT_SECONDS = 2;
const FPS = 25;
const SOURCE_SECONDS = 30;
const CHUNKS = { segmentSeconds: SEGMENT_SECONDS, chunkSeconds: 10, firstChunkSeconds: SEGMENT_SECONDS };
/** This chunk is encoded one rung per ffmpeg; every other chunk encodes all rungs in one. */
const SPLIT_CHUNK = 1;

let workDir: string;
let source: string;
let info: SourceInfo;
let rungs: Rung[];
const publishDir = () => join(workDir, 'published');
/** Per stream, per chunk: the placed segments and the chunk's own init segment. */
const placed = new Map<number, { init: Uint8Array; stream: PlacedStream }[]>();

async function ffprobeCsv(args: string[]): Promise<string[][]> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-of', 'csv=p=0', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

async function localSegments(dir: string, name: (n: number) => string): Promise<Uint8Array[]> {
  const files = await readdir(dir);
  const segments: Uint8Array[] = [];
  for (let number = 1; files.includes(name(number)); number++) segments.push(await readFile(join(dir, name(number))));
  return segments;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tube-chunks-'));
  source = join(workDir, 'source.mp4');
  // A camera-like file: keyframes every 5 s (not on our chunk boundaries), so every seek needs pre-roll.
  await run(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=426x240:rate=${FPS}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=44100',
    '-t',
    String(SOURCE_SECONDS),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '125',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    source,
  ]);
  info = parseProbe(JSON.parse((await run(FFPROBE, probeArgs(source))).stdout));
  rungs = planLadder(info, { maxHeight: 240 });
  await mkdir(publishDir());
}, 60_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('chunked transcoding with the real ffmpeg', () => {
  it('encodes 5 chunks and the audio separately and places them on one timeline', async () => {
    const chunks = planChunks(info.durationSeconds, CHUNKS);
    expect(chunks.map((chunk) => [chunk.startSeconds, chunk.endSeconds])).toEqual([
      [0, 2],
      [2, 6],
      [6, 14],
      [14, 24],
      [24, info.durationSeconds],
    ]);
    expect(rungs.map((rung) => rung.name)).toEqual(['144p', '240p']);

    await Promise.all(
      chunks.map(async (chunk) => {
        // Where each rung's output is: its own ffmpeg (variant 0 of 1) in the split chunk, variant N of all otherwise.
        const outputs: { dir: string; variant: number; variants: number }[] = [];
        if (chunk.index === SPLIT_CHUNK) {
          for (const [stream, rung] of rungs.entries()) {
            const outputDir = join(workDir, `chunk-${chunk.index}-${stream}`);
            await mkdir(outputDir);
            await run(
              FFMPEG,
              buildChunkArgs({ input: source, outputDir, info, rungs: [rung], chunk, segmentSeconds: SEGMENT_SECONDS, preset: 'veryfast', threads: 1 }),
            );
            outputs[stream] = { dir: outputDir, variant: 0, variants: 1 };
          }
        } else {
          const outputDir = join(workDir, `chunk-${chunk.index}`);
          await mkdir(outputDir);
          await run(FFMPEG, buildChunkArgs({ input: source, outputDir, info, rungs, chunk, segmentSeconds: SEGMENT_SECONDS, preset: 'veryfast', threads: 1 }));
          for (const stream of rungs.keys()) outputs[stream] = { dir: outputDir, variant: stream, variants: rungs.length };
        }
        for (const [stream, rung] of rungs.entries()) {
          const { dir, variant, variants } = outputs[stream]!;
          const init = await readFile(join(dir, CHUNK_FILES.initOf(variant, variants)));
          const segments = await localSegments(dir, (n) => CHUNK_FILES.segmentOf(variant, n));
          const result = placeChunkSegments({ stream, chunk, frameRate: rung.frameRate, init, localSegments: segments });
          placed.set(stream, [...(placed.get(stream) ?? []), { init, stream: result }]);
          for (const segment of result.segments) await writeFile(join(publishDir(), segment.name), segment.bytes);
          if (chunk.index === 0) await writeFile(join(publishDir(), publishedNames.init(stream)), init);
        }
      }),
    );
    const audioDir = join(workDir, 'audio');
    await mkdir(audioDir);
    await run(
      FFMPEG,
      buildAudioArgs({ input: source, outputDir: audioDir, audioStreamIndex: info.audioStreamIndex!, segmentSeconds: SEGMENT_SECONDS, bitrate: 128_000 }),
    );
    const audioStream = rungs.length;
    const audioInit = await readFile(join(audioDir, CHUNK_FILES.init));
    const audio = placeAudioSegments({ stream: audioStream, init: audioInit, localSegments: await localSegments(audioDir, CHUNK_FILES.audioSegmentOf) });
    await writeFile(join(publishDir(), publishedNames.init(audioStream)), audioInit);
    for (const segment of audio.segments) await writeFile(join(publishDir(), segment.name), segment.bytes);

    const streamRecords = rungs.map((rung, stream) => {
      const parts = (placed.get(stream) ?? []).map((part) => part.stream).sort((a, b) => a.segments[0]!.record.number - b.segments[0]!.record.number);
      return {
        stream,
        timescale: parts[0]!.timescale,
        codecs: parts[0]!.codecs,
        segments: parts.flatMap((part) => part.segments.map((segment) => segment.record)),
      };
    });
    const audioRecord = { stream: audioStream, timescale: audio.timescale, codecs: audio.codecs, segments: audio.segments.map((segment) => segment.record) };
    for (const record of [...streamRecords, audioRecord]) {
      await writeFile(
        join(publishDir(), publishedNames.mediaPlaylist(record.stream)),
        buildMediaPlaylist(record, { complete: true, targetDurationSeconds: SEGMENT_SECONDS }),
      );
    }
    const variants = rungs.map((rung, stream) => ({
      stream,
      width: rung.width,
      height: rung.height,
      frameRate: rung.frameRate,
      codecs: streamRecords[stream]!.codecs,
      bandwidth: measureBandwidth(streamRecords[stream]!),
    }));
    await writeFile(
      join(publishDir(), 'master.m3u8'),
      buildMasterPlaylist(variants, { stream: audioStream, codecs: audio.codecs, bandwidth: measureBandwidth(audioRecord) }),
    );
    const dashVideo = rungs.map((rung, stream) => ({
      ...streamRecords[stream]!,
      width: rung.width,
      height: rung.height,
      frameRate: rung.frameRate,
      sar: rungSampleAspectRatio(info, rung),
    }));
    await writeFile(join(publishDir(), 'manifest.mpd'), buildDashManifest({ durationSeconds: info.durationSeconds, video: dashVideo, audio: audioRecord }));

    // Segment numbers continue across chunks: 1…15, each 2 s (50 frames at 25 fps) on a gapless timeline.
    for (const record of streamRecords) {
      expect(record.segments.map((segment) => segment.number)).toEqual(Array.from({ length: 15 }, (_, index) => index + 1));
      for (const [index, segment] of record.segments.entries()) {
        expect(segment.startTicks).toBe(index * SEGMENT_SECONDS * record.timescale);
        expect(segment.durationTicks).toBe(SEGMENT_SECONDS * record.timescale);
      }
    }
  }, 120_000);

  it('gives every chunk of a rung the same codec configuration, encoded alone or with the other rungs, so one init segment serves them all', () => {
    for (const stream of rungs.keys()) {
      const parts = placed.get(stream) ?? [];
      expect(parts).toHaveLength(5);
      const [first, ...others] = parts.map((part) => Buffer.from(sampleDescription(part.init)).toString('hex'));
      for (const other of others) expect(other).toBe(first);
      expect(first).toContain(Buffer.from('avcC').toString('hex'));
    }
  });

  it('starts every segment with an IDR frame and numbers the fragments in order', async () => {
    for (const stream of rungs.keys()) {
      const files = (await readdir(publishDir())).filter((name) => name.startsWith(`seg-${stream}-`)).sort();
      expect(files).toHaveLength(15);
      for (const [index, name] of files.entries()) {
        const timing = fragmentTiming(await readFile(join(publishDir(), name)));
        expect(timing.startsWithSyncSample).toBe(true);
        expect(timing.sequenceNumber).toBe(index + 1);
      }
      const frames = await ffprobeCsv([
        '-select_streams',
        'v:0',
        '-show_frames',
        '-show_entries',
        'frame=pts_time,key_frame,pict_type',
        join(publishDir(), publishedNames.mediaPlaylist(stream)),
      ]);
      const keyframeTimes = frames.filter(([keyFrame]) => keyFrame === '1').map(([, pts]) => Number(pts));
      const firstPts = Number(frames[0]![1]);
      expect(keyframeTimes.map((time) => Math.round((time - firstPts) * 1000) / 1000)).toEqual(
        Array.from({ length: 15 }, (_, index) => index * SEGMENT_SECONDS),
      );
    }
  }, 60_000);

  it('plays every rung with exactly the source frame count and no gap or overlap at the seams', async () => {
    const sourceFrames = (await ffprobeCsv(['-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', source]))[0]![0];
    expect(Number(sourceFrames)).toBe(SOURCE_SECONDS * FPS);
    for (const stream of rungs.keys()) {
      const packets = await ffprobeCsv([
        '-select_streams',
        'v:0',
        '-show_packets',
        '-show_entries',
        'packet=pts_time',
        join(publishDir(), publishedNames.mediaPlaylist(stream)),
      ]);
      const times = packets.map(([pts]) => Number(pts)).sort((a, b) => a - b);
      expect(times).toHaveLength(SOURCE_SECONDS * FPS);
      const steps = new Set(times.slice(1).map((time, index) => Math.round((time - times[index]!) * 1e4) / 1e4));
      expect([...steps]).toEqual([1 / FPS]);
    }
  }, 60_000);

  it('decodes the HLS master and the DASH manifest in full', async () => {
    for (const manifest of ['master.m3u8', 'manifest.mpd']) {
      const { stderr } = await run(FFMPEG, ['-v', 'error', '-i', join(publishDir(), manifest), '-map', '0:v:0', '-map', '0:a:0', '-f', 'null', '-'], {
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(stderr).toBe('');
      const frames = await ffprobeCsv(['-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', join(publishDir(), manifest)]);
      expect(Number(frames[0]![0])).toBe(SOURCE_SECONDS * FPS);
    }
    const mpd = await readFile(join(publishDir(), 'manifest.mpd'), 'utf8');
    expect(mpd).toContain('type="static"');
  }, 60_000);

  it('loses no quality at the seams: SSIM of the frames around each seam is within 0.005 of the frames inside chunks', async () => {
    const chunks = planChunks(info.durationSeconds, CHUNKS);
    const seamFrames = chunks.slice(1).map((chunk) => Math.round(chunk.startSeconds * FPS));
    // Around a seam: the last SEAM_WINDOW frames of one chunk and the first SEAM_WINDOW of the next. Inside: at least
    // a second away from every seam (so neither pre-roll nor the first GOP's rate control can reach them).
    const SEAM_WINDOW = 5;
    const distanceToSeam = (frame: number) => Math.min(...seamFrames.map((seam) => (frame < seam ? seam - 1 - frame : frame - seam)));
    for (const [stream, rung] of rungs.entries()) {
      const statsFile = join(workDir, `ssim-${stream}.log`);
      // The rung against the source scaled to the rung's size the way a viewer's screen would; both start at 0.
      await run(FFMPEG, [
        '-v',
        'error',
        '-i',
        join(publishDir(), publishedNames.mediaPlaylist(stream)),
        '-i',
        source,
        '-lavfi',
        `[0:v]setpts=PTS-STARTPTS,format=yuv420p[encoded];[1:v]scale=${rung.width}:${rung.height}:flags=bicubic,setpts=PTS-STARTPTS,format=yuv420p[reference];[encoded][reference]ssim=stats_file=${statsFile}`,
        '-f',
        'null',
        '-',
      ]);
      const perFrame = (await readFile(statsFile, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => {
          const match = /^n:(\d+) .*All:([\d.]+)/.exec(line);
          if (!match) throw new Error(`unexpected ssim line: ${line}`);
          return { frame: Number(match[1]) - 1, ssim: Number(match[2]) };
        });
      expect(perFrame).toHaveLength(SOURCE_SECONDS * FPS);
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      const seam = mean(perFrame.filter(({ frame }) => distanceToSeam(frame) < SEAM_WINDOW).map(({ ssim }) => ssim));
      const inside = mean(perFrame.filter(({ frame }) => distanceToSeam(frame) >= FPS).map(({ ssim }) => ssim));

      console.log(`${rung.name}: SSIM around seams ${seam.toFixed(4)}, inside chunks ${inside.toFixed(4)}`);
      expect(perFrame.filter(({ frame }) => distanceToSeam(frame) < SEAM_WINDOW)).toHaveLength(2 * SEAM_WINDOW * seamFrames.length);
      // A wrong seek (a frame early or late) drops SSIM on moving testsrc2 far more than this.
      expect(inside).toBeGreaterThan(0.8);
      expect(Math.abs(seam - inside)).toBeLessThanOrEqual(0.005);
    }
  }, 120_000);
});
