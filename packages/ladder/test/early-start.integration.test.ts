/**
 * The MP4 index reader against files made by the real ffmpeg: every sample's byte range must be where ffprobe
 * finds the packet, and a chunk given only the bytes planned for it must decode all of its frames.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSourceLayout, parseMoovSamples, partialInput, planChunkBytes, planChunks } from '../src/index.ts';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const SECONDS = 12;
const FPS = 25;

let dir: string;
let fastStart: string;
let moovAtEnd: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'early-start-'));
  fastStart = join(dir, 'fast.mp4');
  moovAtEnd = join(dir, 'end.mp4');
  const common = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${FPS}:duration=${SECONDS}`];
  const audio = ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`];
  const codecs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(FPS), '-c:a', 'aac', '-b:a', '64k'];
  await run(FFMPEG, [...common, ...audio, ...codecs, '-movflags', '+faststart', fastStart]);
  await run(FFMPEG, [...common, ...audio, ...codecs, moovAtEnd]);
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function packets(file: string): Promise<{ stream: number; pos: number; size: number }[]> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'packet=stream_index,pos,size', '-of', 'csv=p=0', file]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [stream, size, pos] = line.split(',').map(Number);
      return { stream: stream!, pos: pos!, size: size! };
    })
    .filter((packet) => Number.isFinite(packet.pos) && Number.isFinite(packet.size));
}

describe('the index of a fast-start MP4', () => {
  it('is found first, and its sample tables match the packets ffprobe reads', async () => {
    const bytes = new Uint8Array(await readFile(fastStart));
    const layout = detectSourceLayout(bytes.subarray(0, 4096), bytes.length);
    expect(layout.kind).toBe('fast-start');
    if (layout.kind !== 'fast-start') return;
    const tracks = parseMoovSamples(bytes.subarray(layout.moovStart, layout.moovEnd));
    expect(tracks).toHaveLength(2);
    const found = await packets(fastStart);
    for (const [index, track] of tracks.entries()) {
      const expected = found.filter((packet) => packet.stream === index).sort((a, b) => a.pos - b.pos);
      expect(track.offsets.map((offset, sample) => ({ pos: offset, size: track.sizes[sample] }))).toEqual(
        expected.map((packet) => ({ pos: packet.pos, size: packet.size })),
      );
    }
    expect(tracks[0]!.decodeTimes).toHaveLength(SECONDS * FPS);
  });

  it('a moov at the end is told apart from the first kilobytes', async () => {
    const bytes = new Uint8Array(await readFile(moovAtEnd));
    expect(detectSourceLayout(bytes.subarray(0, 4096), bytes.length)).toEqual({ kind: 'moov-at-end' });
  });

  it('decodes every frame of a chunk from only the bytes planned for it', async () => {
    const bytes = new Uint8Array(await readFile(fastStart));
    const layout = detectSourceLayout(bytes, bytes.length);
    if (layout.kind !== 'fast-start') throw new Error('expected fast start');
    const tracks = parseMoovSamples(bytes.subarray(layout.moovStart, layout.moovEnd));
    const chunks = planChunks(SECONDS, { segmentSeconds: 2, chunkSeconds: 4 });
    const needed = planChunkBytes(tracks, chunks, { moovEnd: layout.moovEnd, totalBytes: bytes.length });
    expect(needed[0]).toBeLessThan(bytes.length);
    expect(needed.at(-1)).toBe(bytes.length);
    const chunk = chunks[1]!;
    const { stdout } = await run(FFPROBE, [
      '-v',
      'error',
      '-protocol_whitelist',
      'file,subfile',
      '-read_intervals',
      `${chunk.startSeconds}%${chunk.endSeconds + 1}`,
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=pts_time',
      '-of',
      'csv=p=0',
      partialInput(fastStart, needed[1]!),
    ]);
    const times = stdout.trim().split('\n').map(Number);
    // Every frame of the chunk and the second read past it are there.
    expect(times.filter((time) => time >= chunk.startSeconds && time < chunk.endSeconds + 1)).toHaveLength((chunk.endSeconds + 1 - chunk.startSeconds) * FPS);
  });
});
