import { sql, type Transaction } from 'kysely';
import type { Db } from '../../infra/db/database.ts';
import type { Database, TranscodeTaskKind } from '../../infra/db/schema.ts';
import { TRANSCODE_TASK_QUEUES } from '../../videos/video.jobs.ts';
import type { ChunkedPlan, FinishedTaskSample, TaskSpec } from './chunked-plan.ts';

type Executor = Db | Transaction<Database>;

export interface PlanRow {
  videoId: string;
  mediaPrefix: string;
  plan: ChunkedPlan;
  startedAt: Date;
  finishedAt: Date | null;
}

/** What a published video plays from: the media, its size and the renditions listed so far. */
export interface PublishedMedia {
  mediaPrefix: string;
  durationSeconds: number;
  width: number;
  height: number;
  renditions: string;
}

const publishedMediaColumns = (fields: PublishedMedia) => ({
  media_prefix: fields.mediaPrefix,
  duration_seconds: fields.durationSeconds,
  width: fields.width,
  height: fields.height,
  renditions: fields.renditions,
});

/** SQL of the chunked pipeline: plans, task leases and the video state changes they cause. */
export class ChunkedRepository {
  constructor(private readonly db: Db) {}

  async findPlan(videoId: string, db: Executor = this.db): Promise<PlanRow | null> {
    const row = await db.selectFrom('transcode_plans').selectAll().where('video_id', '=', videoId).executeTakeFirst();
    return row
      ? { videoId: row.video_id, mediaPrefix: row.media_prefix, plan: row.plan as ChunkedPlan, startedAt: row.started_at, finishedAt: row.finished_at }
      : null;
  }

  /** Locks the plan row for the rest of the transaction: publishing is serialized per video. */
  async lockPlan(trx: Transaction<Database>, videoId: string): Promise<PlanRow | null> {
    const row = await trx.selectFrom('transcode_plans').selectAll().where('video_id', '=', videoId).forUpdate().executeTakeFirst();
    return row
      ? { videoId: row.video_id, mediaPrefix: row.media_prefix, plan: row.plan as ChunkedPlan, startedAt: row.started_at, finishedAt: row.finished_at }
      : null;
  }

  async createPlan(trx: Transaction<Database>, videoId: string, mediaPrefix: string, plan: ChunkedPlan, tasks: readonly TaskSpec[]): Promise<void> {
    await trx.deleteFrom('transcode_plans').where('video_id', '=', videoId).execute();
    await trx
      .insertInto('transcode_plans')
      .values({ video_id: videoId, media_prefix: mediaPrefix, plan: JSON.stringify(plan) })
      .execute();
    await trx
      .insertInto('transcode_tasks')
      .values(
        tasks.map((task) => ({
          video_id: videoId,
          task: task.task,
          kind: task.kind as TranscodeTaskKind,
          chunk_index: task.chunkIndex,
          priority: task.priority,
        })),
      )
      .execute();
  }

  /**
   * Serializes scheduling per uploader for the rest of the transaction (two uploads of one person planned at
   * once would otherwise both think they are alone), and returns the uploader.
   */
  async lockUploader(trx: Transaction<Database>, videoId: string): Promise<string | null> {
    const video = await trx.selectFrom('videos').select('user_id').where('id', '=', videoId).executeTakeFirst();
    if (!video) return null;
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`tube:schedule:${video.user_id}`}))`.execute(trx);
    return video.user_id;
  }

  /** The uploader's other unfinished plans with tasks no worker has started, oldest plan first. */
  async queuedVideosOf(trx: Transaction<Database>, userId: string, exceptVideoId: string) {
    const rows = await trx
      .selectFrom('transcode_tasks as t')
      .innerJoin('transcode_plans as p', 'p.video_id', 't.video_id')
      .innerJoin('videos as v', 'v.id', 't.video_id')
      .select(['t.video_id', 't.task', 't.priority', 'p.plan', 'p.started_at'])
      .where('v.user_id', '=', userId)
      .where('t.video_id', '!=', exceptVideoId)
      .where('t.status', '=', 'pending')
      .where('p.finished_at', 'is', null)
      .orderBy('p.started_at')
      .orderBy('t.video_id')
      .execute();
    const videos = new Map<string, { videoId: string; plan: ChunkedPlan; tasks: Map<string, number> }>();
    for (const row of rows) {
      let video = videos.get(row.video_id);
      if (!video) {
        video = { videoId: row.video_id, plan: row.plan as ChunkedPlan, tasks: new Map() };
        videos.set(row.video_id, video);
      }
      video.tasks.set(row.task, row.priority);
    }
    return [...videos.values()];
  }

  /** The start-rung chunk task (cheap tier or whole ladder) nearest the front of the queue (waiting or running), with its priority. */
  frontOfQueue(trx: Transaction<Database>) {
    return trx
      .selectFrom('transcode_tasks')
      .select(['task', 'priority'])
      .where('kind', '=', 'video')
      .where((eb) => eb.or([eb('task', 'like', '%:low'), eb('task', 'like', '%:all')]))
      .where('status', 'in', ['pending', 'running'])
      .orderBy('priority', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** New priorities for tasks not started yet: on the task rows and on their waiting pg-boss jobs. */
  async reprioritize(trx: Transaction<Database>, videoId: string, tasks: readonly { task: string; priority: number }[]): Promise<void> {
    if (tasks.length === 0) return;
    const names = tasks.map((task) => task.task);
    const priorities = tasks.map((task) => task.priority);
    await sql`
      UPDATE transcode_tasks t SET priority = v.priority
      FROM unnest(${names}::text[], ${priorities}::int[]) AS v(task, priority)
      WHERE t.video_id = ${videoId} AND t.task = v.task AND t.status = 'pending'`.execute(trx);
    await sql`
      UPDATE pgboss.job j SET priority = v.priority
      FROM unnest(${names}::text[], ${priorities}::int[]) AS v(task, priority)
      WHERE j.name = ANY(${[...TRANSCODE_TASK_QUEUES]}::text[]) AND j.state IN ('created', 'retry')
        AND j.data->>'videoId' = ${videoId} AND j.data->>'task' = v.task`.execute(trx);
  }

  /** Tasks not done, with their priority (to enqueue them again when a plan is resumed). */
  unfinishedTasks(videoId: string, db: Executor = this.db) {
    return db.selectFrom('transcode_tasks').select(['task', 'priority', 'status']).where('video_id', '=', videoId).where('status', '!=', 'done').execute();
  }

  async doneTasks(videoId: string, db: Executor = this.db) {
    return db
      .selectFrom('transcode_tasks')
      .select(['task', 'result', 'worker_name', 'attempts', 'wall_seconds'])
      .where('video_id', '=', videoId)
      .where('status', '=', 'done')
      .execute();
  }

  /**
   * The fleet's most recently finished start-rung chunk tasks (any video) that ran in front from start to end,
   * with their plans: its current speed.
   */
  async recentStartRungTasks(limit: number, withinMinutes: number): Promise<FinishedTaskSample[]> {
    const rows = await this.db
      .selectFrom('transcode_tasks')
      .innerJoin('transcode_plans', 'transcode_plans.video_id', 'transcode_tasks.video_id')
      .select(['transcode_tasks.task', 'transcode_tasks.wall_seconds', 'transcode_plans.plan'])
      .where('transcode_tasks.status', '=', 'done')
      .where('transcode_tasks.kind', '=', 'video')
      .where('transcode_tasks.wall_seconds', 'is not', null)
      .where('transcode_tasks.in_front', '=', true)
      .where('transcode_tasks.updated_at', '>', sql<Date>`now() - make_interval(mins => ${withinMinutes})`)
      .where((eb) => eb.or([eb('transcode_tasks.task', 'like', 'video:%:low'), eb('transcode_tasks.task', 'like', 'video:%:all')]))
      .orderBy('transcode_tasks.updated_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ task: row.task, wallSeconds: row.wall_seconds!, plan: row.plan as ChunkedPlan }));
  }

  async countTasks(videoId: string, db: Executor = this.db): Promise<number> {
    const row = await db
      .selectFrom('transcode_tasks')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('video_id', '=', videoId)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** A worker takes a task: only when pending, or running under a worker whose heartbeat stopped. */
  async claimTask(videoId: string, task: string, token: string, workerName: string, leaseSeconds: number) {
    return this.db
      .updateTable('transcode_tasks')
      .set({ status: 'running', worker_token: token, worker_name: workerName, heartbeat_at: sql`now()`, attempts: sql`attempts + 1`, updated_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('task', '=', task)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'pending'),
          eb.and([eb('status', '=', 'running'), eb('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)]),
        ]),
      )
      .returning(['kind', 'chunk_index', 'attempts', 'priority'])
      .executeTakeFirst();
  }

  /** Keeps the task's lease (and the video's, so the one-process reaper leaves it alone); false when lost. */
  async heartbeatTask(videoId: string, task: string, token: string): Promise<boolean> {
    const result = await this.db
      .updateTable('transcode_tasks')
      .set({ heartbeat_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('task', '=', task)
      .where('worker_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) return false;
    await this.db.updateTable('videos').set({ heartbeat_at: sql`now()` }).where('id', '=', videoId).where('status', 'in', ['processing', 'playable']).execute();
    return true;
  }

  async completeTask(
    trx: Transaction<Database>,
    videoId: string,
    task: string,
    token: string,
    result: unknown,
    timing: { wallSeconds: number; inFront: boolean | null },
  ): Promise<boolean> {
    const updated = await trx
      .updateTable('transcode_tasks')
      .set({
        status: 'done',
        result: JSON.stringify(result),
        wall_seconds: timing.wallSeconds,
        in_front: timing.inFront,
        worker_token: null,
        error: null,
        updated_at: sql`now()`,
      })
      .where('video_id', '=', videoId)
      .where('task', '=', task)
      .where('worker_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return updated.numUpdatedRows === 1n;
  }

  /**
   * What a running task has published so far (the audio's segments, as they are encoded), in its result column;
   * `completeTask` replaces it with the final result. False when the lease is lost.
   */
  async recordTaskProgress(videoId: string, task: string, token: string, soFar: unknown): Promise<boolean> {
    const updated = await this.db
      .updateTable('transcode_tasks')
      .set({ result: JSON.stringify(soFar), updated_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('task', '=', task)
      .where('worker_token', '=', token)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return updated.numUpdatedRows === 1n;
  }

  /**
   * The audio segments published while the audio task is not done (running, or pending again after a failed
   * attempt: what was listed stays listed); null when it is done or has published nothing.
   */
  async audioSoFar(videoId: string, db: Executor = this.db): Promise<unknown> {
    const row = await db
      .selectFrom('transcode_tasks')
      .select('result')
      .where('video_id', '=', videoId)
      .where('task', '=', 'audio')
      .where('status', '!=', 'done')
      .executeTakeFirst();
    return row?.result ?? null;
  }

  /** A failed attempt: the task goes back to pending for pg-boss's retry. */
  async releaseTask(videoId: string, task: string, token: string, error: string): Promise<void> {
    await this.db
      .updateTable('transcode_tasks')
      .set({ status: 'pending', worker_token: null, error, updated_at: sql`now()` })
      .where('video_id', '=', videoId)
      .where('task', '=', task)
      .where('worker_token', '=', token)
      .execute();
  }

  /** Tasks running under a fresh heartbeat, with their claim token: what a live worker's scratch belongs to. */
  liveTaskClaims(videoIds: string[], leaseSeconds: number) {
    if (videoIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('transcode_tasks')
      .select(['video_id', 'task', 'worker_token'])
      .where('video_id', 'in', videoIds)
      .where('status', '=', 'running')
      .where('heartbeat_at', '>=', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)
      .execute();
  }

  /** Tasks whose worker stopped sending heartbeats go back to pending; returns them to enqueue again. */
  async requeueAbandonedTasks(trx: Transaction<Database>, leaseSeconds: number) {
    return trx
      .updateTable('transcode_tasks')
      .set({ status: 'pending', worker_token: null, updated_at: sql`now()` })
      .where('status', '=', 'running')
      .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)
      .returning(['video_id', 'task', 'priority'])
      .execute();
  }

  async markPlayable(trx: Transaction<Database>, videoId: string, fields: PublishedMedia): Promise<boolean> {
    const updated = await trx
      .updateTable('videos')
      .set({ status: 'playable', ...publishedMediaColumns(fields), updated_at: sql`now()` })
      .where('id', '=', videoId)
      .where('status', '=', 'processing')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 1n) await trx.updateTable('transcode_plans').set({ playable_at: sql`now()` }).where('video_id', '=', videoId).execute();
    return updated.numUpdatedRows === 1n;
  }

  async updateProgress(
    trx: Transaction<Database>,
    videoId: string,
    fields: { progress: number; etaSeconds: number | null; renditions: string; rungProgress: string },
  ): Promise<void> {
    await trx
      .updateTable('videos')
      .set({ progress: fields.progress, eta_seconds: fields.etaSeconds, renditions: fields.renditions, rung_progress: fields.rungProgress })
      .where('id', '=', videoId)
      .where('status', 'in', ['processing', 'playable'])
      .execute();
  }

  async markReady(trx: Transaction<Database>, videoId: string, fields: PublishedMedia): Promise<boolean> {
    const updated = await trx
      .updateTable('videos')
      .set({
        status: 'ready',
        ...publishedMediaColumns(fields),
        has_storyboard: true,
        progress: 1,
        eta_seconds: 0,
        error: null,
        worker_token: null,
        published_at: sql`coalesce(published_at, now())`,
        updated_at: sql`now()`,
      })
      .where('id', '=', videoId)
      .where('status', 'in', ['processing', 'playable'])
      .executeTakeFirst();
    await trx.updateTable('transcode_plans').set({ finished_at: sql`coalesce(finished_at, now())` }).where('video_id', '=', videoId).execute();
    return updated.numUpdatedRows === 1n;
  }

  async markFailed(videoId: string, error: string): Promise<void> {
    await this.db
      .updateTable('videos')
      .set({ status: 'failed', error, progress: null, eta_seconds: null, worker_token: null, updated_at: sql`now()` })
      .where('id', '=', videoId)
      .where('status', 'in', ['processing', 'playable', 'queued'])
      .execute();
  }
}
