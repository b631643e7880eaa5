import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, FFMPEG, FFPROBE, tusUpload, waitFor } from '../helpers/media.ts';
import { baseUrl } from '../helpers/videos.ts';

const run = promisify(execFile);
let t: TestApp;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-hostile-'));
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, SOURCE_MAX_DURATION: '20' }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  token = (await registerUser(t.app)).accessToken;
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function uploadAndWait(file: string, timeoutMs = 30_000): Promise<Video> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title: path.basename(file) } })).json<{
    id: string;
  }>();
  await tusUpload(file, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token, videoId: created.id });
  return waitFor(
    async () => {
      const video = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(token) })).json<Video>();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    },
    timeoutMs,
    `${path.basename(file)} to finish`,
  );
}

/** Replaces bytes in a file, keeping its length (so every size field of the container stays valid). */
async function patchBytes(file: string, from: Buffer, to: Buffer): Promise<void> {
  const bytes = await readFile(file);
  const at = bytes.indexOf(from);
  if (at < 0 || from.length !== to.length) throw new Error(`cannot patch ${file}`);
  to.copy(bytes, at);
  await writeFile(file, bytes);
}

/** A Matroska file whose video codec id no decoder knows: ffprobe reports the stream without a codec name. */
async function unknownCodecFile(): Promise<string> {
  const file = path.join(dir, 'unknown-codec.mkv');
  await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', file]);
  await patchBytes(file, Buffer.from('V_MPEG4/ISO/AVC'), Buffer.from('V_XXXXX/ISO/AVC'));
  return file;
}

/**
 * A Matroska file that declares 3 s but whose 75 frames are 8 minutes apart (10 hours of timestamps): the
 * header's Duration float and the DURATION tag are patched to say 3 s, as a hostile uploader would.
 */
async function lyingDurationFile(): Promise<string> {
  const file = path.join(dir, 'lying.mkv');
  await run(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-t',
    '3',
    '-i',
    'color=c=gray:size=64x64:rate=25',
    '-vf',
    'setpts=N*480/TB',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-fps_mode',
    'passthrough',
    file,
  ]);
  const bytes = await readFile(file);
  const at = bytes.indexOf(Buffer.from([0x44, 0x89, 0x88]));
  if (at < 0) throw new Error('no 8-byte Duration element');
  bytes.writeDoubleBE(3000, at + 3);
  const tag = /\d\d:\d\d:\d\d\.\d{9}/.exec(bytes.toString('latin1'));
  if (tag) Buffer.from('00:00:03.000000000').copy(bytes, tag.index);
  await writeFile(file, bytes);
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  expect(Number(stdout)).toBeCloseTo(3, 1);
  return file;
}

describe('hostile or undecodable sources', () => {
  it('a stream no decoder knows fails at once, without retries, with a sentence', async () => {
    const video = await uploadAndWait(await unknownCodecFile());
    expect(video.status).toBe('failed');
    expect(video.error).toBe('The video is encoded in a format Tube cannot decode; export it as H.264 (MP4) and upload it again');
    const row = await t.infra.db.selectFrom('videos').select('attempts').where('id', '=', video.id).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
  });

  it('a container whose timestamps run hours past its declared length is bounded and refused', { timeout: 150_000 }, async () => {
    // Alone this takes about a second; a busy CI machine has needed over 30 s (probe, plan and a chunk's ffmpeg).
    const video = await uploadAndWait(await lyingDurationFile(), 120_000);
    expect(video.status).toBe('failed');
    expect(video.error).toMatch(/timing does not match the length it declares \(3 seconds\)/);
    // Nothing of the attempt was published.
    expect(await t.infra.storage.list(`videos/${video.id}/`)).toEqual([]);
  });
});
