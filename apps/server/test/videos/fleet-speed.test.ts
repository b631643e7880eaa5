/**
 * The chunked planner plans for the speed the fleet runs at: a new upload's plan carries the factor measured from
 * the most recently finished start-rung tasks in PostgreSQL (here a slow 1080p video's, written as a worker
 * would), and without enough of them it keeps the fixed model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { makeVideo, SMALL_CHUNKED_ENV } from '../helpers/media.ts';
import { sourceInfo } from '../helpers/sources.ts';
import { uploadVideo } from '../helpers/videos.ts';
import { buildChunkedPlan, measuredSpeedFactor, scheduleTasks, type ChunkedPlan } from '../../src/transcoding/chunked/chunked-plan.ts';
import { ChunkedRepository } from '../../src/transcoding/chunked/chunked.repository.ts';

let t: TestApp;
let dir: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let clip: string;

const HD_SOURCE = sourceInfo({ durationSeconds: 120, width: 1920, height: 1080, bitRate: 12_000_000, sizeBytes: 180_000_000 });

const planOf = async (videoId: string) =>
  (await t.infra.db.selectFrom('transcode_plans').select('plan').where('video_id', '=', videoId).executeTakeFirstOrThrow()).plan as ChunkedPlan;

/**
 * A 1080p video whose start-rung tasks finished `slowdown` times slower than the quiet machine's speeds, as a
 * worker records them: `inFront` when each had a foreground CPU place from start to end.
 */
async function recordSlowHdVideo(slowdown: number, tasks: number, inFront = true): Promise<void> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: 'Earlier HD' } })).json<{
    id: string;
  }>();
  const plan = buildChunkedPlan(HD_SOURCE, { maxHeight: 1080, segmentSeconds: 4, chunkSeconds: 12, splitSeconds: 36 });
  const repo = new ChunkedRepository(t.infra.db);
  await t.infra.db.transaction().execute((trx) => repo.createPlan(trx, created.id, `videos/${created.id}/x`, plan, scheduleTasks(plan)));
  const startRungTasks = scheduleTasks(plan).filter((task) => /^video:\d+:(low|all)$/.test(task.task) && task.chunkIndex >= 2);
  for (const task of startRungTasks.slice(0, tasks)) {
    const chunk = plan.chunks[task.chunkIndex]!;
    await t.infra.db
      .updateTable('transcode_tasks')
      .set({
        status: 'done',
        in_front: inFront,
        wall_seconds: 1 + slowdown * (chunk.endSeconds - chunk.startSeconds) * (task.task.endsWith(':all') ? 1.1 : 0.3),
      })
      .where('video_id', '=', created.id)
      .where('task', '=', task.task)
      .execute();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-fleet-speed-'));
  t = await startTestApp({ ...SMALL_CHUNKED_ENV, WORKER_BACKGROUND_SLOTS: '0' }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  owner = await registerUser(t.app, 'speedy');
  clip = await makeVideo(dir, 'clip.mp4', { width: 426, height: 240, seconds: 4 });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('planning for the fleet’s measured speed', () => {
  it('keeps the fixed model without enough measured tasks, then plans with the factor the finished tasks give', async () => {
    await recordSlowHdVideo(3, 3);
    // Tasks that spent time in the background slot say how long they waited, not how fast the fleet is.
    await recordSlowHdVideo(10, 6, false);
    const first = await uploadVideo(t, owner.accessToken, clip);
    expect(first.status, first.error ?? '').toBe('ready');
    // Three usable samples (the small video's own 240p tasks are too short to count): no measurement yet.
    expect((await planOf(first.id)).speedFactor).toBeUndefined();

    await recordSlowHdVideo(3, 6);
    const second = await uploadVideo(t, owner.accessToken, clip);
    expect(second.status, second.error ?? '').toBe('ready');
    const samples = await new ChunkedRepository(t.infra.db).recentStartRungTasks(24, 30);
    const expected = measuredSpeedFactor(samples);
    expect(expected).not.toBeNull();
    // ~3× the reference speed (the tasks above were written at three times the quiet machine's wall times).
    expect(expected!).toBeGreaterThan(2.5);
    expect(expected!).toBeLessThan(3.5);
    expect((await planOf(second.id)).speedFactor).toBe(expected);
  }, 120_000);
});
