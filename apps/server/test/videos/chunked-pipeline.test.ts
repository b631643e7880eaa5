import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { countFrames, makeVideo, tusUpload, waitFor, SMALL_CHUNKED_ENV } from '../helpers/media.ts';
import { VideoRepository } from '../../src/videos/video.repository.ts';
import { BACKGROUND_NICE } from '../../src/transcoding/chunked/cpu-priority.ts';
import { ffmpegProcessesMentioning, spawnFleetWorker } from '../helpers/faults.ts';
import { processNice } from '../helpers/processes.ts';
import { sql } from 'kysely';

const run = promisify(execFile);
const CHUNKED_ENV = SMALL_CHUNKED_ENV;
const SOURCE_FRAMES = 30 * 25;

let t: TestApp;
let base: string;
let dir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let source: string;
const children: ChildProcess[] = [];

/** Another worker process: same database and media storage, its own scratch disk (as another machine). */
async function startWorkerProcess(env: Record<string, string> = {}, app: TestApp = t) {
  const worker = spawnFleetWorker(app, { ...CHUNKED_ENV, ...env }, await mkdtemp(path.join(tmpdir(), 'tube-chunk-worker-')));
  children.push(worker.child);
  await worker.running(90_000);
  return worker;
}

async function upload(title: string, file = source): Promise<string> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title } })).json<{
    id: string;
  }>();
  await tusUpload(file, { endpoint: `${base}/api/v1/uploads`, token: owner.accessToken, videoId: created.id });
  return created.id;
}

const getVideo = async (id: string) => (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer(owner.accessToken) })).json<Video>();

function tasksOf(videoId: string) {
  return t.infra.db
    .selectFrom('transcode_tasks')
    .select(['task', 'status', 'attempts', 'worker_name'])
    .where('video_id', '=', videoId)
    .orderBy('task')
    .execute();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-chunked-'));
  t = await startTestApp(CHUNKED_ENV, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  owner = await registerUser(t.app, 'chunky');
  source = await makeVideo(dir, 'thirty.mp4', { width: 426, height: 240, seconds: 30, fps: 25 });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the chunked pipeline', () => {
  it('splits a 30 s upload over two worker processes, plays it while later chunks are pending, then publishes HLS and DASH', async () => {
    const second = await startWorkerProcess();
    const videoId = await upload('Thirty seconds');
    // Hold the last two chunks back until the state in between has been observed.
    await waitFor(async () => (await tasksOf(videoId)).length > 0, 60_000, 'the plan');
    const holdLaterChunks = (until: string) =>
      sql`UPDATE pgboss.job SET start_after = ${sql.raw(until)} WHERE name = 'video.transcode-task' AND data->>'videoId' = ${videoId} AND data->>'task' IN ('video:3:low', 'video:4:low') AND state = 'created'`.execute(
        t.infra.db,
      );
    await holdLaterChunks(`now() + interval '10 minutes'`);

    // Playable as soon as the first chunk and the audio exist: the master and a growing EVENT playlist are served.
    const playable = await waitFor(
      async () => {
        const video = await getVideo(videoId);
        return video.status === 'playable' || video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      90_000,
      'the video to become playable',
    );
    expect(playable.status).toBe('playable');
    expect(playable.playback?.dash).toBeNull();
    expect(playable.renditions.length).toBeGreaterThan(0);

    const master = await fetch(`${base}${playable.playback!.hls}`);
    expect(master.status).toBe(200);
    // It grows: no copy may be kept, or a player reloading for a new rung gets the old master.
    expect(master.headers.get('cache-control')).toMatch(/no-cache/);
    const masterText = await master.text();
    expect(masterText).toContain('media_0.m3u8');
    const growing = await (await fetch(new URL('media_0.m3u8', `${base}${playable.playback!.hls}`))).text();
    expect(growing).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(growing).not.toContain('#EXT-X-ENDLIST');
    // Everything but the held chunks finishes; chunks 0–2 (14 of 30 s) of both rungs of the one tier.
    await waitFor(
      async () => {
        const pending = (await tasksOf(videoId)).filter((task) => task.status !== 'done').map((task) => task.task);
        return pending.join() === 'video:3:low,video:4:low';
      },
      60_000,
      'every task but the held chunks',
    );
    // The task row is done before its publish has recorded the progress: wait for that publish.
    const partway = await waitFor(
      async () => {
        const video = await getVideo(videoId);
        return video.progress !== null && Math.abs(video.progress - 14 / 30) < 0.005 ? video : undefined;
      },
      30_000,
      'the progress of the finished chunks',
    );
    expect(partway.status).toBe('playable');
    expect(partway.rungProgress.map((rung) => rung.name)).toEqual(['144p', '240p']);
    for (const rung of partway.rungProgress) expect(rung.progress).toBeCloseTo(14 / 30, 2);
    expect(partway.etaSeconds).toEqual(expect.any(Number));
    expect(partway.progress).toBeCloseTo(14 / 30, 2);
    await holdLaterChunks('now()');

    const ready = await waitFor(
      async () => {
        const video = await getVideo(videoId);
        return video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      120_000,
      'the video to be ready',
    );
    expect(ready.status, ready.error ?? '').toBe('ready');
    expect(ready.renditions.map((rendition) => rendition.name)).toEqual(['144p', '240p']);
    expect(ready.renditions[0]!.codecs).toMatch(/^avc1\.\w{6},mp4a\.40\.2$/);
    expect(ready.rungProgress).toEqual([]);

    // 5 chunks (2, 4, 8, 8 and 8 s: one segment first, doubling up to 8 s) × one tier, the audio and the thumbnails, shared by both processes.
    const tasks = await tasksOf(videoId);
    expect(tasks.map((task) => task.task)).toEqual(['audio', 'thumbnails', 'video:0:low', 'video:1:low', 'video:2:low', 'video:3:low', 'video:4:low']);
    expect(tasks.every((task) => task.status === 'done')).toBe(true);
    expect(new Set(tasks.map((task) => task.worker_name)).size).toBe(2);

    const hls = `${base}${ready.playback!.hls}`;
    const finalPlaylist = await (await fetch(new URL('media_1.m3u8', hls))).text();
    expect(finalPlaylist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(finalPlaylist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(await countFrames(hls)).toBe(SOURCE_FRAMES);
    expect(await countFrames(`${base}${ready.playback!.dash!}`)).toBe(SOURCE_FRAMES);
    expect((await fetch(`${base}${ready.thumbnailUrl!}`)).status).toBe(200);
    expect(second.output()).toContain('task done');
    second.child.kill('SIGTERM');
    await second.exited;
  }, 240_000);

  it('redoes only the chunk whose worker was killed', async () => {
    // No in-process worker here: a deliberately slow worker process takes the tasks and is killed while it
    // holds a chunk; a second process must redo that chunk and only that one.
    const api = await startTestApp(CHUNKED_ENV, 'api');
    try {
      await api.app.listen({ port: 0, host: '127.0.0.1' });
      const apiBase = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      const uploader = await registerUser(api.app, 'crasher');
      const created = (
        await api.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(uploader.accessToken), payload: { title: 'Crash in the middle' } })
      ).json<{ id: string }>();
      // Silent and 16 s, to keep it short: the slow worker's first task is then chunk 0.
      const silent = await makeVideo(dir, 'silent.mp4', { width: 426, height: 240, seconds: 16, fps: 25, audio: false });
      const doomed = await startWorkerProcess({ X264_PRESET: 'veryslow' }, api);
      await tusUpload(silent, { endpoint: `${apiBase}/api/v1/uploads`, token: uploader.accessToken, videoId: created.id });
      const tasks = () =>
        api.infra.db
          .selectFrom('transcode_tasks')
          .select(['task', 'status', 'attempts', 'worker_name'])
          .where('video_id', '=', created.id)
          .orderBy('task')
          .execute();
      const victim = await waitFor(
        async () => (await tasks()).find((task) => task.status === 'running' && task.task.startsWith('video:')),
        90_000,
        'the slow worker to take a chunk',
      );
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      // Its foreground and background slots may both have held a task when it died.
      const lost = (await tasks()).filter((task) => task.status === 'running').map((task) => task.task);
      expect(lost).toContain(victim.task);
      const replacement = await startWorkerProcess({}, api);
      const ready = await waitFor(
        async () => {
          const video = (await api.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(uploader.accessToken) })).json<Video>();
          return video.status === 'ready' || video.status === 'failed' ? video : undefined;
        },
        120_000,
        'the video to be ready after the crash',
      );
      expect(ready.status, ready.error ?? '').toBe('ready');
      expect(replacement.output()).toContain('requeued transcode tasks whose worker stopped responding');
      // The tasks the killed worker held, and only they, were started twice.
      const finished = await tasks();
      expect(finished.filter((task) => task.attempts > 1).map((task) => task.task)).toEqual(lost);
      expect(finished.every((task) => task.status === 'done')).toBe(true);
      expect(finished.find((task) => task.task === victim.task)!.worker_name).toBe(`${victim.worker_name!.split(':')[0]}:${replacement.child.pid}`);
      expect(await countFrames(`${apiBase}${ready.playback!.hls}`)).toBe(16 * 25);
      replacement.child.kill('SIGTERM');
      await replacement.exited;
    } finally {
      await api.close();
    }
  }, 240_000);

  it('leaves a planned video to its task leases while its tasks wait in the queue', async () => {
    const videoId = await upload('Waiting in line');
    await waitFor(async () => (await tasksOf(videoId)).length > 0, 60_000, 'the plan');
    // As if every task had waited longer than the lease: the video's own heartbeat is stale.
    await t.infra.db
      .updateTable('videos')
      .set({ heartbeat_at: new Date(Date.now() - 3600_000) })
      .where('id', '=', videoId)
      .where('status', '=', 'processing')
      .execute();
    const requeued = await t.infra.db.transaction().execute((trx) => new VideoRepository(t.infra.db).requeueAbandoned(trx, 10));
    expect(requeued).not.toContain(videoId);
    const ready = await waitFor(
      async () => {
        const video = await getVideo(videoId);
        return video.status === 'ready' || video.status === 'failed' ? video : undefined;
      },
      180_000,
      'the video to be ready',
    );
    expect(ready.status, ready.error ?? '').toBe('ready');
    const row = await t.infra.db.selectFrom('videos').select('attempts').where('id', '=', videoId).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
  }, 240_000);

  it('runs a second task at low CPU priority beside the one in front', async () => {
    // A slow worker process of its own, so that its two tasks run side by side for seconds.
    const api = await startTestApp(CHUNKED_ENV, 'api');
    try {
      await api.app.listen({ port: 0, host: '127.0.0.1' });
      const uploader = await registerUser(api.app, 'nicer');
      const created = (
        await api.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(uploader.accessToken), payload: { title: 'Background slot' } })
      ).json<{ id: string }>();
      const worker = await startWorkerProcess({ X264_PRESET: 'veryslow' }, api);
      await tusUpload(source, {
        endpoint: `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}/api/v1/uploads`,
        token: uploader.accessToken,
        videoId: created.id,
      });
      let backgroundBesideForeground = false;
      for (const deadline = Date.now() + 90_000; !backgroundBesideForeground && Date.now() < deadline; await sleep(50)) {
        const nices = await Promise.all((await ffmpegProcessesMentioning(created.id)).map((pid) => processNice(pid).catch(() => null)));
        backgroundBesideForeground = nices.includes(BACKGROUND_NICE) && nices.includes(0);
      }
      expect(backgroundBesideForeground).toBe(true);
      worker.child.kill('SIGTERM');
      await worker.exited;
    } finally {
      await api.close();
    }
  }, 150_000);

  it('cancels a deleted video’s pending chunks and removes its files', async () => {
    const videoId = await upload('Deleted while processing');
    await waitFor(async () => (await tasksOf(videoId)).length > 0, 60_000, 'the plan');
    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${videoId}`, headers: bearer(owner.accessToken) });
    expect(response.statusCode).toBe(204);
    const { rows } = await sql<{
      count: string;
    }>`SELECT count(*) FROM pgboss.job WHERE name IN ('video.transcode-task', 'video.transcode-audio') AND data->>'videoId' = ${videoId} AND state IN ('created', 'retry')`.execute(
      t.infra.db,
    );
    expect(Number(rows[0]!.count)).toBe(0);
    expect(await tasksOf(videoId)).toEqual([]);
    // A task that was running notices at its next heartbeat and removes what it uploaded.
    const listVideoDirs = async (): Promise<string[]> => readdir(path.join(t.config.mediaDir, 'videos')).catch(() => []);
    await waitFor(async () => !(await listVideoDirs()).includes(videoId), 30_000, 'the files to be removed');
  }, 120_000);

  it('handles every kind of upload the one-process pipeline handles', async () => {
    // Rotated and WebM sources run 12 s (2 chunks: the second seeks into the file), the others 3 s (one chunk).
    const kinds = {
      portrait: { file: () => makeVideo(dir, 'portrait.mp4', { width: 240, height: 426, seconds: 3 }), frames: 75, size: [144, 256] },
      rotated: {
        file: async () => {
          const landscape = await makeVideo(dir, 'landscape.mp4', { width: 426, height: 240, seconds: 12 });
          const rotated = path.join(dir, 'rotated.mp4');
          await run('ffmpeg', ['-v', 'error', '-y', '-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
          return rotated;
        },
        frames: 300,
        size: [144, 256],
      },
      webm: {
        file: () =>
          makeVideo(dir, 'vp9.webm', {
            width: 320,
            height: 180,
            seconds: 12,
            audio: false,
            extraArgs: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k'],
          }),
        frames: 300,
        size: [256, 144],
      },
      tenBit: {
        file: () => makeVideo(dir, 'ten-bit.mp4', { width: 320, height: 180, seconds: 3, extraArgs: ['-pix_fmt', 'yuv420p10le', '-profile:v', 'high10'] }),
        frames: 75,
        size: [256, 144],
      },
      tiny: { file: () => makeVideo(dir, 'tiny.mp4', { width: 64, height: 36, seconds: 1 }), frames: 25, size: [64, 36] },
      silent: { file: () => makeVideo(dir, 'no-audio.mp4', { width: 320, height: 180, seconds: 3, audio: false }), frames: 75, size: [256, 144] },
    };
    const results = await Promise.all(
      Object.entries(kinds).map(async ([name, kind]) => {
        const videoId = await upload(name, await kind.file());
        const video = await waitFor(
          async () => {
            const current = await getVideo(videoId);
            return current.status === 'ready' || current.status === 'failed' ? current : undefined;
          },
          180_000,
          `${name} to be processed`,
        );
        return { name, kind, video };
      }),
    );
    for (const { name, kind, video } of results) {
      expect(video.status, `${name}: ${video.error ?? ''}`).toBe('ready');
      const smallest = video.renditions[0]!;
      expect([smallest.width, smallest.height], name).toEqual(kind.size);
      expect(await countFrames(`${base}${video.playback!.hls}`), name).toBe(kind.frames);
      expect(await countFrames(`${base}${video.playback!.dash!}`), name).toBe(kind.frames);
    }
  }, 240_000);
});
