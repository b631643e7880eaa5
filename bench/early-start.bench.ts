/**
 * Starting before the upload ends: the same fast-start MP4 sent over a slow link (tus PATCHes paced so the
 * upload takes BENCH_UPLOAD_SECONDS), through the whole server (API + in-process worker, chunked mode, fs or S3),
 * once with EARLY_START=true and once with EARLY_START=false, in one run.
 *
 *   node --import tsx bench/early-start.bench.ts            # 60 s 480p camera-like source, 30 s upload
 *   node --import tsx bench/early-start.bench.ts --write    # also writes bench/results/early-start.md
 *   BENCH_SECONDS=20 BENCH_UPLOAD_SECONDS=10 node --import tsx bench/early-start.bench.ts   # quick smoke run
 *   BENCH_CONTAINER=webm node --import tsx bench/early-start.bench.ts   # a VP9/Opus WebM instead (Matroska clusters)
 *   BENCH_STORAGE=s3 node --import tsx bench/early-start.bench.ts       # the S3 driver on a local s3rver (parts of 5 MiB)
 *
 * Measured from the moment the last PATCH is acknowledged: until the video is `playable` and until it is
 * `ready` (API polled every 100 ms), and how many chunk tasks were already done at that moment.
 * The pacing between PATCHes stands for the network; it is the same in both runs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../apps/server/test/helpers/app.ts';
import { s3StorageEnv, startS3Server, type S3Server } from '../apps/server/test/helpers/s3.ts';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const SOURCE_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SOURCE_HEIGHT = Number(process.env.BENCH_HEIGHT ?? 480);
const UPLOAD_SECONDS = Number(process.env.BENCH_UPLOAD_SECONDS ?? 30);
const CONTAINER = process.env.BENCH_CONTAINER === 'webm' ? 'webm' : 'mp4';
const STORAGE = process.env.BENCH_STORAGE === 's3' ? 's3' : 'fs';
const PATCHES = 30;
const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'early-start.md');
const ENV = { TRANSCODE_MODE: 'chunked', TRANSCODE_MAX_HEIGHT: String(SOURCE_HEIGHT), X264_PRESET: 'veryfast', SEGMENT_SECONDS: '4', CHUNK_SECONDS: '12' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const b64 = (text: string) => Buffer.from(text).toString('base64');

const SOURCE_CODECS =
  CONTAINER === 'webm'
    ? {
        describe: 'WebM (VP9 realtime, 4 Mbit/s, Opus)',
        args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '4M', '-g', '60', '-c:a', 'libopus', '-b:a', '128k'],
      }
    : {
        describe: 'fast-start MP4 (H.264 High, B-frames, 4 Mbit/s, AAC)',
        args: [
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-profile:v',
          'high',
          '-b:v',
          '4M',
          '-g',
          '60',
          '-bf',
          '2',
          '-c:a',
          'aac',
          '-b:a',
          '128k',
          '-movflags',
          '+faststart',
        ],
      };

async function makeSource(dir: string): Promise<Buffer> {
  const file = path.join(dir, `camera.${CONTAINER}`);
  const width = Math.round((SOURCE_HEIGHT * 16) / 9 / 2) * 2;
  await run(FFMPEG, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${SOURCE_HEIGHT}:rate=30`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(SOURCE_SECONDS), '-pix_fmt', 'yuv420p', ...SOURCE_CODECS.args, file],
  ]);
  return readFile(file);
}

interface Outcome {
  earlyStart: boolean;
  chunksDoneAtCompletion: number;
  chunkTasks: number;
  playableSeconds: number;
  readySeconds: number;
}

async function once(bytes: Buffer, earlyStart: boolean, s3: S3Server | null): Promise<Outcome> {
  const storage = s3 ? s3StorageEnv(s3) : {};
  const t: TestApp = await startTestApp({ ...ENV, ...storage, EARLY_START: String(earlyStart) }, 'all', { withWorker: true });
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const owner = await registerUser(t.app, 'bencher');
    const auth = { authorization: `Bearer ${owner.accessToken}`, 'tus-resumable': '1.0.0' };
    const { id } = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: 'bench' } })).json<{
      id: string;
    }>();
    const created = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'upload-length': String(bytes.length), 'upload-metadata': `videoId ${b64(id)},filename ${b64(`camera.${CONTAINER}`)}` },
    });
    const url = new URL(created.headers.get('location')!, base).toString();
    const step = Math.ceil(bytes.length / PATCHES);
    for (let offset = 0; offset < bytes.length; offset += step) {
      if (offset > 0) await sleep((UPLOAD_SECONDS * 1000) / PATCHES);
      const end = Math.min(bytes.length, offset + step);
      const patch = await fetch(url, {
        method: 'PATCH',
        headers: { ...auth, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        body: new Uint8Array(bytes.subarray(offset, end)),
      });
      if (patch.status !== 204) throw new Error(`PATCH answered ${patch.status}`);
    }
    const completedAt = performance.now();
    const done = await t.infra.db.selectFrom('transcode_tasks').select(['task', 'status']).where('video_id', '=', id).execute();
    const chunksDoneAtCompletion = done.filter((task) => task.task.startsWith('video:') && task.status === 'done').length;
    let playableSeconds = Number.NaN;
    for (;;) {
      const video = (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).json<Video>();
      const elapsed = (performance.now() - completedAt) / 1000;
      if (Number.isNaN(playableSeconds) && (video.status === 'playable' || video.status === 'ready')) playableSeconds = elapsed;
      if (video.status === 'failed') throw new Error(`failed: ${video.error}`);
      if (video.status === 'ready') {
        const tasks = await t.infra.db.selectFrom('transcode_tasks').select('task').where('video_id', '=', id).execute();
        return {
          earlyStart,
          chunksDoneAtCompletion,
          chunkTasks: tasks.filter((task) => task.task.startsWith('video:')).length,
          playableSeconds,
          readySeconds: elapsed,
        };
      }
      await sleep(100);
    }
  } finally {
    await t.close();
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'tube-bench-early-'));
try {
  const bytes = await makeSource(dir);
  const s3 = STORAGE === 's3' ? await startS3Server(dir) : null;
  const load = loadavg()[0]!.toFixed(1);
  const late = await once(bytes, false, s3);
  const early = await once(bytes, true, s3);
  await s3?.stop();
  const fmt = (value: number) => `${value.toFixed(1)} s`;
  const lines = [
    `Source: ${SOURCE_SECONDS} s ${SOURCE_HEIGHT}p30 ${SOURCE_CODECS.describe}, ${(bytes.length / 1e6).toFixed(1)} MB,`,
    `uploaded in ${PATCHES} PATCHes over ${UPLOAD_SECONDS} s; ${STORAGE === 's3' ? 'S3 driver (s3rver on loopback, 5 MiB parts)' : 'fs driver'}; chunked mode, 12 s chunks, x264 veryfast, one in-process worker; load average ${load} at start.`,
    '',
    '| EARLY_START | chunk tasks done when the upload completed | upload complete → playable | upload complete → ready |',
    '|---|---|---|---|',
    ...[late, early].map(
      (outcome) =>
        `| ${outcome.earlyStart} | ${outcome.chunksDoneAtCompletion} of ${outcome.chunkTasks} | ${fmt(outcome.playableSeconds)} | ${fmt(outcome.readySeconds)} |`,
    ),
    `| ratio (true ÷ false) | | **${(early.playableSeconds / late.playableSeconds).toFixed(2)}×** | **${(early.readySeconds / late.readySeconds).toFixed(2)}×** |`,
  ];
  console.log(lines.join('\n'));
  if (process.argv.includes('--write')) {
    await writeFile(
      RESULTS_FILE.replace(/\.md$/, `${CONTAINER === 'webm' ? '-webm' : ''}${STORAGE === 's3' ? '-s3' : ''}.md`),
      `# Early start (upload still arriving)\n\nCommand: \`${CONTAINER === 'webm' ? 'BENCH_CONTAINER=webm ' : ''}${STORAGE === 's3' ? 'BENCH_STORAGE=s3 ' : ''}node --import tsx bench/early-start.bench.ts --write\`\n\n${lines.join('\n')}\n`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
