import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { buildAudioArgs, CHUNK_FILES } from '@tube/ladder';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { decodeAll, FFPROBE, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { baseUrl } from '../helpers/videos.ts';
import { resolveFfmpeg } from '../../src/infra/ffmpeg/ffmpeg.ts';
import { chunkedTaskJobs, ffmpegTools } from '../../src/transcoding/chunked/chunked.jobs.ts';
import { createChunkedTranscodeService } from '../../src/runtime.ts';
import type { MediaTools } from '../../src/transcoding/chunked/media-tools.ts';
import { startWorker } from '../../src/worker/worker.ts';

/**
 * The audio task publishes its segments while it runs: the video turns `playable` once the audio covers the first
 * chunk, not when the whole file's audio is done. To make "while it runs" certain, the audio ffmpeg (real) is held
 * after it exits until the test has seen the playable state (here the video usually turns playable before ffmpeg
 * has even finished); what the task published by then it picked up from ffmpeg's playlist while running. The end result is the same as one encode of the whole audio.
 */
const ENV = {
  TRANSCODE_MODE: 'chunked',
  TRANSCODE_MAX_HEIGHT: '144',
  X264_PRESET: 'ultrafast',
  SEGMENT_SECONDS: '2',
  CHUNK_SECONDS: '4',
  STORYBOARD_INTERVAL: '2',
  WORKER_CONCURRENCY: '2',
};
const SECONDS = 20;
const run = promisify(execFile);

let t: TestApp;
let dir: string;
let source: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-audio-stream-'));
  t = await startTestApp(ENV, 'all');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  source = await makeVideo(dir, 'twenty.mp4', { width: 256, height: 144, seconds: SECONDS, fps: 25 });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function countPackets(target: string, stream: 'a:0' | 'v:0'): Promise<number> {
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-select_streams',
    stream,
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    target,
  ]);
  return Number(stdout.trim().split('\n')[0]);
}

describe('audio streamed out while it is encoded', () => {
  it('makes the video playable while the audio task still runs, and ends with the same audio as one encode', async () => {
    const owner = await registerUser(t.app, 'listener');
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: 'Tone' } })).json<{
      id: string;
    }>();
    await tusUpload(source, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token: owner.accessToken, videoId: created.id });

    const real = ffmpegTools(resolveFfmpeg(t.config, t.infra.logger));
    let releaseAudio!: () => void;
    const audioHeld = new Promise<void>((resolve) => (releaseAudio = resolve));
    const tools: MediaTools = {
      ffprobe: real.ffprobe,
      async ffmpeg(args, options) {
        const output = await real.ffmpeg(args, options);
        if (args.includes(CHUNK_FILES.audioSegment) || args.some((arg) => arg.endsWith(CHUNK_FILES.audioPlaylist))) {
          await audioHeld;
        }
        return output;
      },
    };
    const service = createChunkedTranscodeService(t.infra, t.repositories, t.services, tools, 'streamer');
    await service.plan(created.id);
    const stopWorker = await startWorker(t.infra, chunkedTaskJobs(t.config, service));
    try {
      const getVideo = async () => (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(owner.accessToken) })).json<Video>();
      const audioTask = async () =>
        t.infra.db.selectFrom('transcode_tasks').select(['status']).where('video_id', '=', created.id).where('task', '=', 'audio').executeTakeFirstOrThrow();

      const playable = await waitFor(
        async () => {
          const video = await getVideo();
          return video.status !== 'processing' ? video : undefined;
        },
        120_000,
        'the video to become playable',
      );
      expect(playable.status).toBe('playable');
      expect((await audioTask()).status).toBe('running');
      const master = `${baseUrl(t)}${playable.playback!.hls}`;
      const masterText = await (await fetch(master)).text();
      const audioPlaylistName = /#EXT-X-MEDIA:TYPE=AUDIO.*URI="([^"]+)"/.exec(masterText)?.[1];
      expect(audioPlaylistName).toBeDefined();
      const audioPlaylist = await (await fetch(new URL(audioPlaylistName!, master))).text();
      // Still growing as far as a player knows: no ENDLIST until the task is done.
      expect(audioPlaylist).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
      expect(audioPlaylist).not.toContain('#EXT-X-ENDLIST');
      // Every listed segment is there to fetch (at least the one covering the 4 s first chunk).
      const listed = audioPlaylist.split('\n').filter((line) => line.endsWith('.m4s'));
      expect(listed.length).toBeGreaterThanOrEqual(1);
      for (const name of listed) expect((await fetch(new URL(name, master))).status).toBe(200);

      releaseAudio();
      const ready = await waitFor(
        async () => {
          const video = await getVideo();
          return video.status === 'ready' || video.status === 'failed' ? video : undefined;
        },
        120_000,
        'the video to be ready',
      );
      expect(ready.status, ready.error ?? '').toBe('ready');
      expect((await audioTask()).status).toBe('done');
      const hls = `${baseUrl(t)}${ready.playback!.hls}`;
      const finalAudio = await (await fetch(new URL(audioPlaylistName!, hls))).text();
      expect(finalAudio.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
      await decodeAll(hls);
      await decodeAll(`${baseUrl(t)}${ready.playback!.dash!}`);
      expect(await countPackets(hls, 'v:0')).toBe(SECONDS * 25);

      // The same audio as one encode of the whole file, run here with the same arguments.
      const reference = path.join(dir, 'reference');
      await mkdir(reference, { recursive: true });
      await real.ffmpeg(buildAudioArgs({ input: source, outputDir: reference, audioStreamIndex: 1, segmentSeconds: 2, bitrate: 128_000 }));
      const expectedPackets = await countPackets(path.join(reference, CHUNK_FILES.audioPlaylist), 'a:0');
      expect(expectedPackets).toBeGreaterThan(SECONDS * (48_000 / 1024) - 2);
      expect(await countPackets(hls, 'a:0')).toBe(expectedPackets);
      expect(await countPackets(`${baseUrl(t)}${ready.playback!.dash!}`, 'a:0')).toBe(expectedPackets);
    } finally {
      releaseAudio();
      await stopWorker();
    }
  }, 300_000);
});
