import { planChunks, planLadder, type PlannedChunk, type Rung, type SourceInfo, type StreamRecord } from '@tube/ladder';

/**
 * The pure half of the chunked pipeline: what to encode (plan), in which order (priorities), and what can
 * be published from the work done so far. No I/O here, so every decision is unit-tested.
 */

/** Rungs up to this short side form the cheap tier that is encoded first (and makes the video playable). */
export const LOW_TIER_MAX_SHORT_SIDE = 480;

/** `low`/`high`: the cheap and expensive rungs of a chunk in the lead window; `all`: every rung of a later chunk. */
export type TierName = 'low' | 'high' | 'all';

export interface Tier {
  name: TierName;
  /** Indexes into `rungs` (= published stream numbers). */
  rungIndexes: number[];
}

export interface ChunkedPlan {
  info: SourceInfo;
  rungs: Rung[];
  /** The cheap tier, and the expensive one when the ladder has rungs above 480p. */
  tiers: Tier[];
  chunks: PlannedChunk[];
  segmentSeconds: number;
  /**
   * Chunks from the start encoded as one task per tier (the cheap one runs ahead); every later chunk is one task
   * that decodes once and encodes every rung. Absent in plans written before it existed: every chunk is split.
   */
  splitChunks?: number;
  /**
   * Later chunks split too (`chunksToSplit`): where one worker encodes the whole ladder slower than real time, the
   * cheap tier of some chunks restores the lead the whole-ladder chunks eat into. Absent: none.
   */
  alsoSplit?: number[];
  /**
   * How much slower than `WORKER_SPEED`'s quiet-machine figures the fleet ran its recent start-rung tasks
   * (`measuredSpeedFactor`), which the order and `alsoSplit` were computed with. Absent: `busySlowdown`.
   */
  speedFactor?: number;
}

export interface ChunkedPlanOptions {
  maxHeight: number;
  segmentSeconds: number;
  chunkSeconds: number;
  /** Chunks starting before this second get one task per tier; later chunks one task for the whole ladder. */
  splitSeconds: number;
  /** The fleet's measured speed (`measuredSpeedFactor`); without one, `WORKER_SPEED.busySlowdown`. */
  speedFactor?: number;
}

/** The plan options from the server's settings: one place, so the plan at completion and the early one agree. */
export function chunkedPlanOptions(config: {
  TRANSCODE_MAX_HEIGHT: number;
  SEGMENT_SECONDS: number;
  CHUNK_SECONDS: number;
  CHUNK_SPLIT_SECONDS: number;
}): ChunkedPlanOptions {
  return {
    maxHeight: config.TRANSCODE_MAX_HEIGHT,
    segmentSeconds: config.SEGMENT_SECONDS,
    chunkSeconds: config.CHUNK_SECONDS,
    splitSeconds: config.CHUNK_SPLIT_SECONDS,
  };
}

export function buildChunkedPlan(info: SourceInfo, options: ChunkedPlanOptions): ChunkedPlan {
  const rungs = planLadder(info, { maxHeight: options.maxHeight });
  const shortSide = (rung: Rung) => Math.min(rung.width, rung.height);
  const low = rungs.flatMap((rung, index) => (shortSide(rung) <= LOW_TIER_MAX_SHORT_SIDE ? [index] : []));
  const high = rungs.flatMap((rung, index) => (shortSide(rung) > LOW_TIER_MAX_SHORT_SIDE ? [index] : []));
  const tiers: Tier[] = [];
  if (low.length) tiers.push({ name: 'low', rungIndexes: low });
  if (high.length) tiers.push({ name: 'high', rungIndexes: high });
  // One segment first (what stands between the upload and the first frame), doubling up to CHUNK_SECONDS.
  const chunks = planChunks(info.durationSeconds, {
    segmentSeconds: options.segmentSeconds,
    chunkSeconds: options.chunkSeconds,
    firstChunkSeconds: options.segmentSeconds,
  });
  // Chunk 0 is always split: its cheap tier alone makes the video playable.
  const splitChunks = Math.max(1, chunks.filter((chunk) => chunk.startSeconds < options.splitSeconds).length);
  const plan: ChunkedPlan = {
    info,
    rungs,
    tiers,
    chunks,
    segmentSeconds: options.segmentSeconds,
    splitChunks,
    ...(options.speedFactor === undefined ? {} : { speedFactor: options.speedFactor }),
  };
  const alsoSplit = tiers.length > 1 ? chunksToSplit(plan) : [];
  return alsoSplit.length ? { ...plan, alsoSplit } : plan;
}

/**
 * Where a viewer who started at the first frame is, in seconds of video, `time` seconds after the first chunk's
 * start rungs were done (the clock of the one-worker model), counting what stands between a finished task and
 * the player (`WORKER_SPEED`).
 */
function viewerPosition(plan: Pick<ChunkedPlan, 'segmentSeconds'>, time: number): number {
  const reachesPlayer = WORKER_SPEED.publishSeconds + plan.segmentSeconds;
  return Math.max(0, time + reachesPlayer + WORKER_SPEED.safetySeconds - WORKER_SPEED.viewerStartSeconds);
}

/**
 * The chunks after the split window that get a cheap-tier task of their own, chosen in chunk order with one worker
 * at `WORKER_SPEED` running only the start-rung tasks (everything else can wait): a chunk decodes once for the
 * whole ladder unless that would let the viewer reach the end of what is encoded, in which case its cheap tier
 * alone extends the start rungs. Where the whole ladder is faster than real time this splits nothing; for a 1080p
 * source on the 2-core machine about one chunk in four, instead of every chunk (a second decode costs ~17 % of a
 * chunk's CPU).
 */
export function chunksToSplit(plan: ChunkedPlan): number[] {
  const window = plan.splitChunks ?? plan.chunks.length;
  const cheap = plan.tiers[0]!.rungIndexes;
  const every = plan.rungs.map((_, index) => index);
  const split: number[] = [];
  let clock = 0;
  let edge = plan.chunks[0]?.endSeconds ?? 0;
  for (const chunk of plan.chunks.slice(1)) {
    const seconds = chunk.endSeconds - chunk.startSeconds;
    const whole = modelledCost(plan, seconds, every);
    const splitHere = chunk.index < window || viewerPosition(plan, clock + whole) > edge;
    if (splitHere && chunk.index >= window) split.push(chunk.index);
    clock += splitHere ? modelledCost(plan, seconds, cheap) : whole;
    edge = chunk.endSeconds;
  }
  return split;
}

/** The tasks (as tiers) that encode one chunk: cheap + expensive in the lead window, else one for every rung. */
export function tiersOfChunk(plan: ChunkedPlan, chunkIndex: number): Tier[] {
  if (plan.tiers.length < 2 || chunkIndex < (plan.splitChunks ?? plan.chunks.length) || plan.alsoSplit?.includes(chunkIndex)) return plan.tiers;
  return [{ name: 'all', rungIndexes: plan.rungs.map((_, index) => index) }];
}

/** The tier that encodes `rungIndex` in chunk `chunkIndex`. */
function tierOfRung(plan: ChunkedPlan, chunkIndex: number, rungIndex: number): Tier | undefined {
  return tiersOfChunk(plan, chunkIndex).find((tier) => tier.rungIndexes.includes(rungIndex));
}

/** The audio stream number (after every video rung), as in the one-process pipeline. */
export function audioStreamOf(plan: ChunkedPlan): number | null {
  return plan.info.hasAudio ? plan.rungs.length : null;
}

export interface TaskSpec {
  task: string;
  kind: 'video' | 'audio' | 'thumbnails';
  chunkIndex: number;
  tier: TierName | null;
  /** pg-boss priority: higher runs first; equal priorities run oldest first. */
  priority: number;
}

export const videoTaskName = (chunkIndex: number, tier: TierName) => `video:${chunkIndex}:${tier}`;

export function parseVideoTaskName(task: string): { chunkIndex: number; tier: TierName } | null {
  const match = /^video:(\d+):(low|high|all)$/.exec(task);
  return match ? { chunkIndex: Number(match[1]), tier: match[2] as TierName } : null;
}

const TOP_PRIORITY = 1_000_000;

/**
 * A queue position ("ordinal") becomes a pg-boss priority: higher runs first, equal ones oldest first. Two
 * priorities per ordinal leave room for the audio just after a video's first chunk.
 */
const priorityOf = (ordinal: number) => TOP_PRIORITY - 1 - 2 * ordinal;

/** The ordinal a queued video task stands at, from its priority (the inverse of the scheduling below). */
export function ordinalOfTask(task: string, priority: number): number | null {
  if (!parseVideoTaskName(task)) return null;
  return Math.max(0, Math.floor((TOP_PRIORITY - 1 - priority) / 2));
}

/**
 * How fast one worker encodes, in wall time, as measured on the quiet 2-core machine of issue #12 (x264 veryfast;
 * BENCHMARKS.md) for a 1080p30 camera source: the cheap tier (144p–480p) ~0.3 s per second of video (chunk 0:
 * 4 s in 2.2 s with the task's overhead), the whole 144p–1080p ladder ~1.13 s, so the whole 1080p ladder is
 * slower than real time on one worker. `busySlowdown` scales both for a machine that does more than that task.
 * Fitted as wall seconds per pixel (per frame) decoded and encoded: decoding overlaps the encoders (0.084 s per
 * second of 1080p), encoding the ladder's 3,774,624 pixels per frame takes ~1.046 s per second.
 */
export const WORKER_SPEED = {
  decodeSecondsPerPixel: 0.084 / (1920 * 1080 * 30),
  encodeSecondsPerPixel: 1.046 / (3_774_624 * 30),
  /**
   * Tasks run this much slower than on the quiet machine when it is also busy with the background slot's task and
   * a browser playing the video (measured in the end-to-end bench: whole-ladder chunks of 12 s took 15–18 s
   * instead of ~14.6, cheap ones 7 s instead of ~4.6, and a 10-minute source stalled at the encoding edge twice
   * with the quiet figures). The factor until the fleet has measured its own (`measuredSpeedFactor`).
   */
  busySlowdown: 1.3,
  /** Queue hop, process start, upload of the segments and publish, per task. */
  taskOverheadSeconds: 1,
  /** A viewer's first frame comes this long after `playable` (measured: ~1 s); they then play in real time. */
  viewerStartSeconds: 1,
  /**
   * A finished chunk reaches storage and the playlist this long after its task ends; the player then sees it at
   * its next playlist reload, up to one segment duration later (hls.js reloads a growing playlist every target
   * duration), which the schedule adds on top.
   */
  publishSeconds: 1,
  /**
   * Kept in hand against a slower task than modelled: load on the machine (a browser playing on it, the audio of a
   * long file, the background slot's task), a harder scene. 2 s let a 10-minute source stall twice in the bench.
   */
  safetySeconds: 4,
} as const;

/** Wall seconds of decoding and encoding a task of `rungIndexes` on `seconds` of video on the quiet reference machine. */
function referenceWork(plan: Pick<ChunkedPlan, 'info' | 'rungs'>, seconds: number, rungIndexes: readonly number[]): number {
  const { info, rungs } = plan;
  const decode = WORKER_SPEED.decodeSecondsPerPixel * info.width * info.height * info.fps;
  const encode = rungIndexes.reduce(
    (sum, index) => sum + WORKER_SPEED.encodeSecondsPerPixel * rungs[index]!.width * rungs[index]!.height * rungs[index]!.frameRate,
    0,
  );
  return seconds * (decode + encode);
}

/** Wall seconds one worker needs for a task of `rungIndexes` on a chunk (or the thumbnails: one pass over the source). */
function modelledCost(plan: Pick<ChunkedPlan, 'info' | 'rungs' | 'speedFactor'>, seconds: number, rungIndexes: readonly number[]): number {
  return WORKER_SPEED.taskOverheadSeconds + referenceWork(plan, seconds, rungIndexes) * (plan.speedFactor ?? WORKER_SPEED.busySlowdown);
}

/** A finished start-rung task of some plan, as the fleet ran it. */
export interface FinishedTaskSample {
  plan: ChunkedPlan;
  task: string;
  wallSeconds: number;
}

/** Samples needed before the measured speed replaces the fixed one. */
export const SPEED_SAMPLES_NEEDED = 5;
/** Tasks shorter than this (modelled) say more about process start-up than about encoding speed: not counted. */
const MIN_SAMPLE_WORK_SECONDS = 2;
const SPEED_FACTOR_RANGE = { min: 0.5, max: 4 } as const;

/**
 * How much slower than `WORKER_SPEED`'s reference the fleet runs start-rung tasks now: Σ (wall − overhead) ÷
 * Σ reference work over recent finished tasks (a ratio of sums, so long tasks weigh more), bounded, rounded to
 * 0.05 so plans compare stably. Null with fewer than `SPEED_SAMPLES_NEEDED` usable samples (a new fleet).
 */
export function measuredSpeedFactor(samples: readonly FinishedTaskSample[]): number | null {
  let wall = 0;
  let work = 0;
  let used = 0;
  for (const sample of samples) {
    const parsed = parseVideoTaskName(sample.task);
    if (!parsed || (parsed.tier !== 'low' && parsed.tier !== 'all')) continue;
    const chunk = sample.plan.chunks[parsed.chunkIndex];
    const tier = chunk ? tiersOfChunk(sample.plan, chunk.index).find((candidate) => candidate.name === parsed.tier) : undefined;
    if (!chunk || !tier) continue;
    const reference = referenceWork(sample.plan, chunk.endSeconds - chunk.startSeconds, tier.rungIndexes);
    if (reference < MIN_SAMPLE_WORK_SECONDS) continue;
    wall += Math.max(0, sample.wallSeconds - WORKER_SPEED.taskOverheadSeconds);
    work += reference;
    used += 1;
  }
  if (used < SPEED_SAMPLES_NEEDED) return null;
  const factor = Math.min(SPEED_FACTOR_RANGE.max, Math.max(SPEED_FACTOR_RANGE.min, wall / work));
  return Math.round(factor * 20) / 20;
}

/**
 * The order of one video's tasks (after its audio) for zero stalls with one worker: a viewer who starts at the
 * first frame must never catch up with the start rungs. The tasks that extend the start rungs (the cheap tier of
 * the lead chunks, then every later chunk in one task) run in chunk order; the others (the expensive tier of the
 * lead chunks, in order, so HD grows as one run from chunk 0, with poster and storyboard after its first chunk) are slipped in as soon
 * as, at `WORKER_SPEED`, the next start-rung task still lands before the viewer reaches its chunk, and otherwise
 * run once the start rungs are complete. With more workers, or faster ones, everything only comes sooner.
 */
export function videoTaskOrder(plan: ChunkedPlan): string[] {
  const chunkSeconds = (index: number) => plan.chunks[index]!.endSeconds - plan.chunks[index]!.startSeconds;
  const ahead: { task: string; cost: number; endSeconds: number }[] = [];
  const extras: { task: string; cost: number }[] = [];
  for (const chunk of plan.chunks) {
    const [first, ...rest] = tiersOfChunk(plan, chunk.index);
    ahead.push({
      task: videoTaskName(chunk.index, first!.name),
      cost: modelledCost(plan, chunkSeconds(chunk.index), first!.rungIndexes),
      endSeconds: chunk.endSeconds,
    });
    for (const tier of rest)
      extras.push({ task: videoTaskName(chunk.index, tier.name), cost: modelledCost(plan, chunkSeconds(chunk.index), tier.rungIndexes) });
  }
  // Poster and storyboard right after the first chunk's expensive tier: the poster shows while the video is
  // processed, and the last task to finish (running alone, on part of the machine) is not a pass over the whole file.
  extras.splice(Math.min(1, extras.length), 0, { task: 'thumbnails', cost: modelledCost(plan, plan.info.durationSeconds, []) });
  // The clock starts when the first chunk's start rungs are done (with the audio, the video is playable).
  const [opening, ...rest] = ahead;
  const order = [opening!.task];
  let clock = 0;
  let edge = opening!.endSeconds;
  for (const next of rest) {
    while (extras.length && viewerPosition(plan, clock + extras[0]!.cost + next.cost) <= edge) {
      const extra = extras.shift()!;
      order.push(extra.task);
      clock += extra.cost;
    }
    order.push(next.task);
    clock += next.cost;
    edge = next.endSeconds;
  }
  return [...order, ...extras.map((extra) => extra.task)];
}

/** One of an uploader's videos with work waiting: its plan and which of its tasks no worker has started yet. */
export interface QueuedVideo {
  videoId: string;
  plan: ChunkedPlan;
  /** Names of the tasks still to schedule; the others are running or done. */
  pending: ReadonlySet<string>;
}

/**
 * The scheduler, as one pure function: priorities for every waiting task of ONE uploader, so the queue serves
 * uploaders round-robin, task by task.
 *
 * Each uploader's waiting tasks get consecutive ordinals from `startOrdinal`, taking their videos in turn
 * (oldest plan first): video A's first task, video B's first, A's second, B's second, … Within a video the tasks
 * come in `videoTaskOrder`. The ordinals of different uploaders interleave in the queue, so ten uploads of one
 * person together get the share one upload of someone else gets, and a 3-hour upload cannot starve anyone's
 * first minute. `startOrdinal` is where the uploader's queued work already stands (rescheduled with the new
 * upload), or, for an uploader with nothing queued, where the queue stands (the lowest ordinal still waiting): a
 * newcomer joins the rotation instead of jumping ahead of everything queued before them, and their first chunk
 * goes before the later chunks of older uploads. A video's audio (needed to play at all, streamed out as it is encoded) goes just after
 * its first waiting task.
 */
export function scheduleUploader(videos: readonly QueuedVideo[], startOrdinal = 0): Map<string, TaskSpec[]> {
  const queues = videos.map((video) => videoTaskOrder(video.plan).filter((task) => video.pending.has(task)));
  const ordinals = videos.map(() => new Map<string, number>());
  let next = startOrdinal;
  for (let round = 0; queues.some((tasks) => tasks.length > round); round++) {
    for (const [index, tasks] of queues.entries()) {
      const task = tasks[round];
      if (task) ordinals[index]!.set(task, next++);
    }
  }
  const scheduled = new Map<string, TaskSpec[]>();
  for (const [index, video] of videos.entries()) {
    const { plan, pending } = video;
    const taskOrdinals = ordinals[index]!;
    const waiting = [...taskOrdinals.values()];
    // A video with nothing else waiting still has its place: where its uploader's rotation starts.
    const first = waiting.length ? Math.min(...waiting) : startOrdinal;
    const tasks: TaskSpec[] = [];
    // The audio right after the first chunk's cheap tier: it is published as it is encoded and covers that chunk
    // within a second, so a worker with one slot need not encode the whole file's audio before the first picture.
    if (plan.info.hasAudio && pending.has('audio')) tasks.push({ task: 'audio', kind: 'audio', chunkIndex: 0, tier: null, priority: priorityOf(first) - 1 });
    for (const [task, ordinal] of taskOrdinals) {
      const parsed = parseVideoTaskName(task);
      tasks.push(
        parsed
          ? { task, kind: 'video', chunkIndex: parsed.chunkIndex, tier: parsed.tier, priority: priorityOf(ordinal) }
          : { task, kind: 'thumbnails', chunkIndex: 0, tier: null, priority: priorityOf(ordinal) },
      );
    }
    scheduled.set(video.videoId, tasks);
  }
  return scheduled;
}

/** Every task of a fresh plan, for an uploader with nothing else queued: audio, thumbnails and each chunk's tasks. */
export function allTaskNames(plan: ChunkedPlan): string[] {
  return [
    ...(plan.info.hasAudio ? ['audio'] : []),
    ...plan.chunks.flatMap((chunk) => tiersOfChunk(plan, chunk.index).map((tier) => videoTaskName(chunk.index, tier.name))),
    'thumbnails',
  ];
}

/** The tasks of one new plan, as if its uploader had nothing else queued (see `scheduleUploader`): `videoTaskOrder`, with the audio after the first task. */
export function scheduleTasks(plan: ChunkedPlan, startOrdinal = 0): TaskSpec[] {
  return scheduleUploader([{ videoId: '', plan, pending: new Set(allTaskNames(plan)) }], startOrdinal).get('')!;
}

/** What a finished video task stored: its streams' segments on the video's timeline. */
export interface VideoTaskResult {
  streams: (StreamRecord & { sampleDescriptionSha256: string })[];
}

export interface AudioTaskResult {
  stream: StreamRecord;
}

/**
 * Audio covering this much less than a span still counts as covering it: AAC frames (1024 samples) do not fall on
 * segment boundaries, so a segment ends up to a frame short or long of its nominal time.
 */
const AUDIO_COVER_TOLERANCE_SECONDS = 0.05;

/** Seconds of audio from the start that the stream's segments hold (the segments are contiguous from 0). */
export function audioSecondsCovered(stream: StreamRecord): number {
  const last = stream.segments.at(-1);
  if (!last || !(stream.timescale > 0)) return 0;
  return (last.startTicks + last.durationTicks) / stream.timescale;
}

/** The audio published so far reaches the end of the first chunk: with that chunk's video, a player can start. */
export function audioCoversFirstChunk(plan: ChunkedPlan, stream: StreamRecord): boolean {
  const firstChunk = plan.chunks[0];
  return firstChunk !== undefined && audioSecondsCovered(stream) >= firstChunk.endSeconds - AUDIO_COVER_TOLERANCE_SECONDS;
}

export interface DoneTask {
  task: string;
  result: unknown;
}

export interface PublishState {
  /** Per stream (rungs, then audio): the segments of the contiguous run of finished chunks from the start. */
  streams: StreamRecord[];
  /** Rung indexes with at least one segment published. */
  publishedRungs: number[];
  /** The first chunk of the first tier exists and the audio covers it (or is done): a player can start. */
  playable: boolean;
  /** The audio task is done (or there is no audio): its playlist is final. */
  audioComplete: boolean;
  /** Every task is done: VOD playlists, the MPD and `ready`. */
  complete: boolean;
  /** Share of the work done per rung (0…1), by seconds of video encoded. */
  rungProgress: number[];
  /** Share of all video work done, weighting each rung by its pixels per second. */
  progress: number;
}

/**
 * Folds the finished tasks into what may be published. A stream only grows by whole chunks from the start,
 * so a player never finds a hole; a chunk finished early (by a faster worker) waits for its predecessors.
 * `audioSoFar` is what the audio task, still running, has uploaded: its segments are published as they come,
 * and the video is playable once they cover the first chunk.
 */
export function publishState(plan: ChunkedPlan, done: readonly DoneTask[], totalTasks: number, audioSoFar: AudioTaskResult | null = null): PublishState {
  const byName = new Map(done.map((task) => [task.task, task.result]));
  const streams: StreamRecord[] = [];
  const rungProgress: number[] = [];
  for (const [rungIndex] of plan.rungs.entries()) {
    const record: StreamRecord = { stream: rungIndex, timescale: 0, codecs: '', segments: [] };
    const segments: StreamRecord['segments'][number][] = [];
    let contiguous = true;
    let secondsDone = 0;
    for (const chunk of plan.chunks) {
      const tier = tierOfRung(plan, chunk.index, rungIndex);
      const result = tier ? (byName.get(videoTaskName(chunk.index, tier.name)) as VideoTaskResult | undefined) : undefined;
      const stream = result?.streams.find((candidate) => candidate.stream === rungIndex);
      if (!stream) {
        contiguous = false;
        continue;
      }
      secondsDone += chunk.endSeconds - chunk.startSeconds;
      if (!contiguous) continue;
      record.timescale = stream.timescale;
      record.codecs = stream.codecs;
      segments.push(...stream.segments);
    }
    streams.push({ ...record, segments });
    rungProgress.push(Math.min(1, secondsDone / plan.info.durationSeconds));
  }
  const audioStream = audioStreamOf(plan);
  const audioDone = byName.get('audio') as AudioTaskResult | undefined;
  const audio = audioDone ?? audioSoFar ?? undefined;
  if (audioStream !== null) streams.push(audio ? audio.stream : { stream: audioStream, timescale: 0, codecs: '', segments: [] });
  const audioCoversStart = audioDone !== undefined || (audio !== undefined && audioCoversFirstChunk(plan, audio.stream));
  const firstTier = plan.tiers[0];
  const startRungsReady = firstTier ? firstTier.rungIndexes.every((index) => streams[index]!.segments.length > 0) : false;
  // A rung above the start tier is listed once its run reaches as far as the start rungs': a player that switches
  // to it (on the reload a new quality brings) then finds it as far ahead as the quality it left.
  const startRun = firstTier ? Math.min(...firstTier.rungIndexes.map((index) => streams[index]!.segments.length)) : 0;
  const publishedRungs = plan.rungs.flatMap((_, index) => {
    const published = streams[index]!.segments.length;
    return published > 0 && (firstTier?.rungIndexes.includes(index) || published >= startRun) ? [index] : [];
  });
  const weights = plan.rungs.map((rung) => rung.width * rung.height * rung.frameRate);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const progress = totalWeight > 0 ? weights.reduce((sum, weight, index) => sum + weight * rungProgress[index]!, 0) / totalWeight : 0;
  return {
    streams,
    publishedRungs,
    playable: startRungsReady && (audioStream === null || audioCoversStart),
    audioComplete: audioStream === null || audioDone !== undefined,
    complete: done.length >= totalTasks,
    rungProgress,
    progress,
  };
}

/** Seconds left, from how fast the work has gone so far; null until there is something to go by. */
export function estimateSecondsLeft(progress: number, elapsedSeconds: number): number | null {
  if (!(progress > 0.01) || progress >= 1) return progress >= 1 ? 0 : null;
  return Math.round((elapsedSeconds / progress) * (1 - progress));
}

/** A finished task as the estimator sees it: what it was and how long its worker took. */
export interface TimedTask {
  task: string;
  wallSeconds: number | null;
}

/**
 * Seconds until each rung is fully encoded (null while there is nothing to go by), from the tasks done so far:
 *   - cost: the worker-seconds one second of video costs in each kind of video task (cheap tier, expensive
 *     tier, whole ladder), measured on its finished chunks (a kind with none yet borrows from a measured one,
 *     scaled by the pixels per second it encodes);
 *   - rate: worker-seconds this video has been getting per wall second (its share of the fleet, queue waits
 *     included), = Σ task wall time ÷ time since the plan;
 *   - a rung is done when the last of its chunks' tasks is: everything scheduled before that (in the order
 *     `scheduleTasks` gives) must run first.
 * So the cheap rungs, which run ahead, get a shorter ETA than the expensive ones, and a second worker halves both.
 */
export function estimateRungEtas(plan: ChunkedPlan, done: readonly TimedTask[], elapsedSeconds: number): (number | null)[] {
  const finished = new Map(done.map((task) => [task.task, task.wallSeconds ?? 0]));
  const chunkSeconds = (index: number) => plan.chunks[index]!.endSeconds - plan.chunks[index]!.startSeconds;
  const kinds = new Map<TierName, Tier>();
  for (const chunk of plan.chunks) for (const tier of tiersOfChunk(plan, chunk.index)) kinds.set(tier.name, tier);
  const weightOf = (tier: Tier) =>
    tier.rungIndexes.reduce((sum, index) => sum + plan.rungs[index]!.width * plan.rungs[index]!.height * plan.rungs[index]!.frameRate, 0);
  const measured = new Map<TierName, number>();
  for (const tier of kinds.values()) {
    let wall = 0;
    let seconds = 0;
    for (const chunk of plan.chunks) {
      const taken = finished.get(videoTaskName(chunk.index, tier.name));
      if (taken === undefined) continue;
      wall += taken;
      seconds += chunkSeconds(chunk.index);
    }
    if (seconds > 0 && wall > 0) measured.set(tier.name, wall / seconds);
  }
  const costOf = (name: TierName): number | null => {
    const own = measured.get(name);
    if (own !== undefined) return own;
    const other = [...kinds.values()].find((candidate) => measured.has(candidate.name));
    return other ? (measured.get(other.name)! * weightOf(kinds.get(name)!)) / weightOf(other) : null;
  };
  const busy = [...finished.values()].reduce((sum, wall) => sum + wall, 0);
  const rate = elapsedSeconds > 0 && busy > 0 ? Math.min(256, Math.max(0.05, busy / elapsedSeconds)) : null;
  const order = scheduleTasks(plan);
  const rank = new Map(order.map((task) => [task.task, task.priority]));
  /** Worker-seconds of a task not done yet (audio and thumbnails: what they took when done, else nothing known). */
  const remainingCost = (spec: TaskSpec): number | null => {
    if (finished.has(spec.task) || spec.kind !== 'video') return 0;
    const cost = costOf(spec.tier!);
    return cost === null ? null : cost * chunkSeconds(spec.chunkIndex);
  };
  return plan.rungs.map((_, rungIndex) => {
    const tasks = plan.chunks.flatMap((chunk) => {
      const tier = tierOfRung(plan, chunk.index, rungIndex);
      return tier ? [videoTaskName(chunk.index, tier.name)] : [];
    });
    if (tasks.every((task) => finished.has(task))) return 0;
    if (rate === null) return null;
    const last = Math.min(...tasks.map((task) => rank.get(task)!));
    let ahead = 0;
    for (const spec of order) {
      if (spec.priority < last) continue;
      const cost = remainingCost(spec);
      if (cost === null) return null;
      ahead += cost;
    }
    return Math.round(ahead / rate);
  });
}
