import type { Transaction } from 'kysely';
import type { Database } from '../../infra/db/schema.ts';
import {
  allTaskNames,
  chunkedPlanOptions,
  measuredSpeedFactor,
  ordinalOfTask,
  scheduleUploader,
  type ChunkedPlan,
  type ChunkedPlanOptions,
  type TaskSpec,
} from './chunked-plan.ts';
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

/** The recent start-rung tasks (any video, any worker) the fleet's speed is measured over, and how far back. */
const SPEED_SAMPLE_TASKS = 24;
const SPEED_SAMPLE_MINUTES = 30;

/**
 * The options of a new plan: the settings, and the speed the fleet has run start-rung tasks at lately, once
 * measured (`measuredSpeedFactor`), so the order and the splits fit the machines as they are now. A plan made
 * during an upload keeps its factor for the plan made at completion (`like`), which must match it.
 */
export async function planOptionsNow(
  repo: ChunkedRepository,
  config: Parameters<typeof chunkedPlanOptions>[0],
  /** Plan again as this earlier plan was made (its factor, or none). */
  like?: Pick<ChunkedPlan, 'speedFactor'>,
): Promise<ChunkedPlanOptions> {
  const speedFactor = like ? like.speedFactor : measuredSpeedFactor(await repo.recentStartRungTasks(SPEED_SAMPLE_TASKS, SPEED_SAMPLE_MINUTES));
  return { ...chunkedPlanOptions(config), ...(speedFactor == null ? {} : { speedFactor }) };
}
