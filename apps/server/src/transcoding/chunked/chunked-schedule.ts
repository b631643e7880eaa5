import type { Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';
import { allTaskNames, ordinalOfTask, scheduleUploader, type ChunkedPlan, type TaskSpec } from './chunked-plan.ts';
import type { ChunkedRepository } from './chunked.repository.ts';

/**
 * Where a new plan's tasks go in the queue: into its uploader's rotation (`scheduleUploader`), which moves
 * the uploader's other waiting tasks too, so one person's many uploads share one person's turn. Shared by the
 * plan made at completion and the one made during an upload (transcoding/early/).
 */
export async function scheduleNewPlan(repo: ChunkedRepository, trx: Transaction<Database>, videoId: string, plan: ChunkedPlan): Promise<TaskSpec[]> {
  const userId = await repo.lockUploader(trx, videoId);
  const queued = userId ? await repo.queuedVideosOf(trx, userId, videoId) : [];
  const ordinals = queued.flatMap((video) => [...video.tasks].flatMap(([task, priority]) => ordinalOfTask(task, priority) ?? []));
  const front = ordinals.length ? null : await repo.frontOfQueue(trx);
  const start = ordinals.length ? Math.min(...ordinals) : front ? (ordinalOfTask(front.task, front.priority) ?? 0) : 0;
  const scheduled = scheduleUploader(
    [
      ...queued.map((video) => ({ videoId: video.videoId, plan: video.plan, pending: new Set(video.tasks.keys()) })),
      { videoId, plan, pending: new Set(allTaskNames(plan)) },
    ],
    start,
  );
  for (const video of queued) {
    const moved = scheduled.get(video.videoId)!.filter((task) => video.tasks.get(task.task) !== task.priority);
    await repo.reprioritize(trx, video.videoId, moved);
  }
  return scheduled.get(videoId)!;
}
