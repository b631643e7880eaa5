import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { makeVideo, tusUpload, waitFor } from '../helpers/media.ts';
import { baseUrl } from '../helpers/videos.ts';
import { resolveFfmpeg } from '../../src/infra/ffmpeg/ffmpeg.ts';
import { createChunkedTranscodeService } from '../../src/runtime.ts';
import { chunkedTranscodeJobs, ffmpegTools } from '../../src/transcoding/chunked/chunked.jobs.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { sql } from 'kysely';

/**
 * Fairness between uploaders on the real queue: Alice's two uploads together get the share of Bob's one.
 * 6 s silent sources, one rung, 2 s chunks: three chunks per video.
 */
const ENV = {
  TRANSCODE_MODE: 'chunked',
  TRANSCODE_MAX_HEIGHT: '144',
  X264_PRESET: 'ultrafast',
  SEGMENT_SECONDS: '1',
  CHUNK_SECONDS: '2',
  // One task at a time, so the order the tasks ran in is the order the queue gave them.
  WORKER_CONCURRENCY: '1',
  WORKER_BACKGROUND_SLOTS: '0',
};
let t: TestApp;
let dir: string;
let source: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-fairness-'));
  // No worker yet: the test plans the uploads itself, in a known order, then lets one worker slot run them.
  t = await startTestApp(ENV, 'all');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  source = await makeVideo(dir, 'six.mp4', { width: 256, height: 144, seconds: 6, audio: false });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function upload(token: string, title: string): Promise<string> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title } })).json<{ id: string }>();
  await tusUpload(source, { endpoint: `${baseUrl(t)}/api/v1/uploads`, token, videoId: created.id });
  return created.id;
}

describe('chunk scheduling across uploaders', () => {
  it('serves two users round-robin: one person’s two uploads share one turn, the other’s one upload gets the other', async () => {
    const alice = await registerUser(t.app, 'alice');
    const bob = await registerUser(t.app, 'bob');
    const a1 = await upload(alice.accessToken, 'Alice one');
    const a2 = await upload(alice.accessToken, 'Alice two');
    const b1 = await upload(bob.accessToken, 'Bob one');
    const label = new Map([
      [a1, 'a1'],
      [a2, 'a2'],
      [b1, 'b1'],
    ]);
    const service = createChunkedTranscodeService(t.infra, t.repositories, t.services, ffmpegTools(resolveFfmpeg(t.config, t.infra.logger)), 'planner');
    for (const id of [a1, a2, b1]) await service.plan(id);

    // The queue as pg-boss will serve it (priority, then oldest first).
    const { rows } = await sql<{ video: string; task: string }>`SELECT data->>'videoId' AS video, data->>'task' AS task FROM pgboss.job
        WHERE name = 'video.transcode-task' AND state = 'created' ORDER BY priority DESC, created_on ASC, id ASC`.execute(t.infra.db);
    const chunks = (list: { video: string; task: string }[]) =>
      list.filter((row) => row.task.startsWith('video:')).map((row) => `${label.get(row.video)}/${row.task}`);
    const expected = [
      'a1/video:0:low',
      'b1/video:0:low',
      'a2/video:0:low',
      'b1/video:1:low',
      'a1/video:1:low',
      'b1/video:2:low',
      'a2/video:1:low',
      'b1/video:3:low',
      'a1/video:2:low',
      'a2/video:2:low',
      'a1/video:3:low',
      'a2/video:3:low',
    ];
    expect(chunks(rows)).toEqual(expected);
    // Per upload (before): Alice's two first chunks, then Bob's, and Alice's second chunks before Bob's second.

    // One worker slot runs them in that order, and Bob's video is ready before either of Alice's.
    const stop = await startWorker(t.infra, chunkedTranscodeJobs(createChunkedTranscodeService(t.infra, t.repositories, t.services), t.config));
    try {
      const videos = await waitFor(
        async () => {
          const all = await Promise.all(
            [
              [a1, alice],
              [a2, alice],
              [b1, bob],
            ].map(async ([id, user]) =>
              (await t.app.inject({ url: `/api/v1/videos/${id}`, headers: bearer((user as typeof alice).accessToken) })).json<Video>(),
            ),
          );
          return all.every((video) => video.status === 'ready' || video.status === 'failed') ? all : undefined;
        },
        180_000,
        'the three videos to be processed',
      );
      expect(videos.map((video) => video.status)).toEqual(['ready', 'ready', 'ready']);
      const done = await t.infra.db
        .selectFrom('transcode_tasks')
        .select(['video_id as video', 'task'])
        .where('status', '=', 'done')
        .orderBy('updated_at')
        .execute();
      expect(chunks(done)).toEqual(expected);
      const readyAt = await t.infra.db.selectFrom('videos').select(['id', 'published_at']).where('id', 'in', [a1, a2, b1]).execute();
      const at = (id: string) => readyAt.find((row) => row.id === id)!.published_at!.getTime();
      expect(at(b1)).toBeLessThan(Math.min(at(a1), at(a2)));
    } finally {
      await stop();
    }
  }, 240_000);
});
