/**
 * The Matroska cluster scan against files made by the real ffmpeg (VP9/Opus WebM, H.264/AAC MKV, a live WebM
 * without duration, and that live WebM with its clusters turned into "unknown size" as MediaRecorder writes
 * them): every packet that starts before a cluster's timestamp lies before the cluster, and a chunk given only
 * the bytes planned for it decodes all of its frames.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allPacketsArgs,
  detectSourceLayout,
  InvalidSourceError,
  lastPacketsArgs,
  packetListingArgs,
  matroskaChunkBytes,
  parseProbe,
  partialInput,
  planChunks,
  probeArgs,
  readMatroskaHead,
  scanClusters,
} from '../src/index.ts';
import { withUnknownClusterSizes } from './support/matroska-fixtures.ts';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const SECONDS = 12;
const FPS = 25;

let dir: string;
const files: Record<'webm' | 'mkv' | 'live' | 'unknownSize', string> = { webm: '', mkv: '', live: '', unknownSize: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'matroska-'));
  const input = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${FPS}:duration=${SECONDS}`];
  const audio = ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`];
  const vp9 = ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', String(FPS), '-c:a', 'libopus', '-b:a', '48k'];
  files.webm = join(dir, 'vp9.webm');
  files.mkv = join(dir, 'h264.mkv');
  files.live = join(dir, 'live.webm');
  files.unknownSize = join(dir, 'unknown-size.webm');
  await run(FFMPEG, [...input, ...audio, ...vp9, files.webm]);
  await run(FFMPEG, [...input, ...audio, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(FPS), '-c:a', 'aac', '-b:a', '64k', files.mkv]);
  // Written to a pipe in live mode: no duration, no cues, as a browser recording streams it.
  const { stdout } = await run(FFMPEG, [...input, ...audio, ...vp9, '-live', '1', '-f', 'webm', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  await writeFile(files.live, stdout);
  await writeFile(files.unknownSize, withUnknownClusterSizes(new Uint8Array(stdout)));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function packets(file: string): Promise<{ pts: number; pos: number; size: number }[]> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'packet=pts_time,pos,size', '-of', 'csv=p=0', file], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [pts, size, pos] = line.split(',').map(Number);
      return { pts: pts!, pos: pos!, size: size! };
    });
}

async function videoFrameTimes(input: string, from: number, to: number): Promise<number[]> {
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-protocol_whitelist',
    'file,subfile',
    '-read_intervals',
    `${from}%${to}`,
    '-select_streams',
    'v:0',
    '-show_entries',
    'frame=pts_time',
    '-of',
    'csv=p=0',
    input,
  ]);
  return stdout.trim().split('\n').map(Number);
}

describe.each(['webm', 'mkv', 'unknownSize'] as const)('the clusters of %s', (name) => {
  it('are found in file order, and no packet before a cluster timestamp lies past that cluster', async () => {
    const bytes = new Uint8Array(await readFile(files[name]));
    expect(detectSourceLayout(bytes.subarray(0, 64), bytes.length)).toEqual({ kind: 'matroska' });
    const head = readMatroskaHead(bytes.subarray(0, 64 * 1024));
    if (head.kind !== 'matroska') throw new Error('expected the head to be read');
    if (name === 'unknownSize') expect(head.durationSeconds).toBeNull();
    else expect(head.durationSeconds).toBeCloseTo(SECONDS, 1);
    const { clusters, resumeAt } = scanClusters(bytes.subarray(head.firstClusterOffset), head.firstClusterOffset, head.timestampScale);
    expect(clusters.length).toBeGreaterThan(3);
    expect(clusters[0]!.offset).toBe(head.firstClusterOffset);
    for (const [index, cluster] of clusters.entries()) {
      if (index > 0) expect(cluster.offset).toBe(clusters[index - 1]!.end);
      if (index > 0) expect(cluster.timestampSeconds).toBeGreaterThan(clusters[index - 1]!.timestampSeconds);
    }
    // A cluster of unknown size ends only when something follows it; the very last one is never known complete.
    if (name === 'unknownSize') expect(resumeAt).toBe(clusters.at(-1)!.end);
    const found = await packets(files[name]);
    for (const cluster of clusters) {
      // ffprobe reports Opus times less the codec delay (6.5 ms), hence the 10 ms of slack.
      const before = found.filter((packet) => packet.pts < cluster.timestampSeconds - 0.01);
      expect(before.every((packet) => packet.pos + packet.size <= cluster.offset)).toBe(true);
      const inside = found.filter((packet) => packet.pos >= cluster.offset && packet.pos < cluster.end);
      expect(inside.length).toBeGreaterThan(0);
    }
  });

  it('resumes where it stopped when the bytes arrive in pieces', async () => {
    const bytes = new Uint8Array(await readFile(files[name]));
    const head = readMatroskaHead(bytes.subarray(0, 64 * 1024));
    if (head.kind !== 'matroska') throw new Error('expected the head to be read');
    const whole = scanClusters(bytes.subarray(head.firstClusterOffset), head.firstClusterOffset, head.timestampScale).clusters;
    const pieces = [];
    let at = head.firstClusterOffset;
    for (const received of [30_000, 31_000, 200_000, 450_001, bytes.length]) {
      const scan = scanClusters(bytes.subarray(at, received), at, head.timestampScale);
      pieces.push(...scan.clusters);
      expect(scan.clusters.every((cluster) => cluster.end <= received)).toBe(true);
      at = scan.resumeAt;
    }
    expect(pieces).toEqual(whole);
  });
});

describe('planning a Matroska upload', () => {
  it('a live WebM does not say how long it is', async () => {
    const head = readMatroskaHead(new Uint8Array(await readFile(files.live)).subarray(0, 64 * 1024));
    expect(head).toMatchObject({ kind: 'matroska', durationSeconds: null });
  });

  it.each(['webm', 'mkv'] as const)('decodes every frame of a %s chunk from only the bytes planned for it', async (name) => {
    const bytes = new Uint8Array(await readFile(files[name]));
    const head = readMatroskaHead(bytes.subarray(0, 64 * 1024));
    if (head.kind !== 'matroska') throw new Error('expected the head to be read');
    const chunks = planChunks(SECONDS, { segmentSeconds: 2, chunkSeconds: 4 });
    const { clusters } = scanClusters(bytes.subarray(head.firstClusterOffset), head.firstClusterOffset, head.timestampScale);
    const none = chunks.map(() => bytes.length);
    const needed = matroskaChunkBytes(none, clusters, chunks, bytes.length);
    expect(needed[0]).toBeLessThan(needed[1]!);
    expect(needed[1]).toBeLessThan(bytes.length);
    expect(needed.at(-1)).toBe(bytes.length);
    const chunk = chunks[1]!;
    const times = await videoFrameTimes(partialInput(files[name], needed[1]!), chunk.startSeconds, chunk.endSeconds + 1);
    expect(times.filter((time) => time >= chunk.startSeconds && time < chunk.endSeconds + 1)).toHaveLength((chunk.endSeconds + 1 - chunk.startSeconds) * FPS);
  });
});

describe('the duration of a live WebM, measured from its packets', () => {
  const probe = async (file: string) => JSON.parse((await run(FFPROBE, probeArgs(file))).stdout) as unknown;
  const ffprobe = async (args: string[]) => (await run(FFPROBE, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;

  it.each(['live', 'unknownSize'] as const)(
    '%s: the packets after the last keyframe end where the declared Duration of the same recording does',
    async (name) => {
      const json = await probe(files[name]);
      expect(packetListingArgs(json, files[name])).toEqual(lastPacketsArgs(files[name]));
      const tail = await ffprobe(lastPacketsArgs(files[name]));
      const every = await ffprobe(allPacketsArgs(files[name]));
      // Only the last keyframe's cluster onwards was listed (a keyframe each second), not the whole file.
      expect(tail.trim().split('\n').length).toBeLessThan(every.trim().split('\n').length / 4);
      const measured = parseProbe(json, tail).durationSeconds;
      expect(parseProbe(json, every).durationSeconds).toBe(measured);
      const declared = parseProbe(await probe(files.webm)).durationSeconds;
      // The last Opus packet's end padding (≤ 20 ms) is not subtracted from its duration.
      expect(Math.abs(measured - declared)).toBeLessThanOrEqual(0.025);
    },
  );

  it('a live WebM cut right after its first cluster header has no packets, and says its duration could not be determined', async () => {
    const bytes = await readFile(files.unknownSize);
    const head = readMatroskaHead(new Uint8Array(bytes).subarray(0, 64 * 1024));
    if (head.kind !== 'matroska') throw new Error('expected the head to be read');
    const clusterSizeWidth = Math.clz32(bytes[head.firstClusterOffset + 4]!) - 23;
    const cut = join(dir, 'no-blocks.webm');
    await writeFile(cut, bytes.subarray(0, head.firstClusterOffset + 4 + clusterSizeWidth));
    const json = await probe(cut);
    expect(packetListingArgs(json, cut)).toEqual(lastPacketsArgs(cut));
    // Seeking finds nothing to seek to (ffprobe fails), so every packet is listed: none.
    await expect(ffprobe(lastPacketsArgs(cut))).rejects.toThrow(/Could not seek/);
    const every = await ffprobe(allPacketsArgs(cut));
    expect(every.trim()).toBe('');
    expect(() => parseProbe(json, every)).toThrow(new InvalidSourceError("The file's duration could not be determined"));
  });
});
