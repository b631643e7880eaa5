import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import {
  buildAudioArgs,
  buildChunkArgs,
  buildDashManifest,
  buildMasterPlaylist,
  buildMediaPlaylist,
  buildPosterArgs,
  buildStoryboardArgs,
  CHUNK_FILES,
  checkTranscodedLength,
  countFramesArgs,
  DASH_MANIFEST,
  HLS_MASTER,
  InvalidSourceError,
  measureBandwidth,
  finishedAudioSegments,
  placeAudioSegments,
  placeChunkSegments,
  planStoryboard,
  posterTimeSeconds,
  publishedNames,
  rungSampleAspectRatio,
  sampleDescription,
  storyboardVtt,
  type SegmentRecord,
  type SourceInfo,
  type StreamRecord,
} from '@tube/ladder';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type PgBoss from 'pg-boss';
import type { Config } from '../../config.ts';
import type { Cache } from '../../infra/cache/cache.ts';
import type { Db } from '../../infra/db/database.ts';
import { downloadRest, type Storage } from '../../infra/storage/storage.ts';
import type { Database, StoredRendition } from '../../infra/db/schema.ts';
import { ProcessFailedError } from '../../infra/ffmpeg/ffmpeg.ts';
import { mediaContentType } from '../../playback/media-types.ts';
import { mediaPrefixFor } from '../../playback/media-urls.ts';
import { MEDIA_FILES } from '../../videos/video.dto.ts';
import type { VideoRepository } from '../../videos/video.repository.ts';
import { uploadKeyFor, uploadPartCopiesPrefix, videoCacheKeys } from '../../videos/video.service.ts';
import type { VideoEvents } from '../../videos/video-events.ts';
import { probeSource } from '../source-probe.ts';
import type { EarlyStartService } from '../early/early-start.service.ts';
import type { UploadPrefix } from '../early/growing-upload.ts';
import type { FfmpegRunOptions, MediaTools } from './media-tools.ts';
import { BACKGROUND_NICE, CpuPriorities } from './cpu-priority.ts';
import { reniceProcess } from '../../infra/ffmpeg/process-priority.ts';
import {
  audioCoversFirstChunk,
  audioStreamOf,
  buildChunkedPlan,
  estimateRungEtas,
  estimateSecondsLeft,
  parseVideoTaskName,
  publishState,
  tiersOfChunk,
  type AudioTaskResult,
  type TaskSpec,
  type ChunkedPlan,
  type PublishState,
  type VideoTaskResult,
} from './chunked-plan.ts';
import type { ChunkedRepository } from './chunked.repository.ts';
import { planOptionsNow, scheduleNewPlan } from './chunked-schedule.ts';
import { isDatabaseUnavailable } from '../../infra/failure-reasons.ts';
import { enqueueTask, FINALIZE_TASK, TRANSCODE_AUDIO_QUEUE, TRANSCODE_TASK_QUEUE } from './chunked.queue.ts';
import { wakeQueue } from '../../infra/queue/wakeups.ts';
import { sourceCacheDirName, taskScratchName } from './chunked-scratch.ts';

/** Runs ffmpeg/ffprobe. The only process side effect of the pipeline, so tests can see every argument list. */
export interface AttemptInfo {
  retryCount: number;
  retryLimit: number;
}

const STORYBOARD = { columns: 10, rows: 10, tileWidth: 160 } as const;
/** How often the audio task looks for segments ffmpeg has finished. */
const AUDIO_POLL_MS = 200;
/** The audio playlist is republished at most this often while the audio is encoded (besides when it first covers chunk 0). */
const AUDIO_PUBLISH_INTERVAL_MS = 2000;
const POSTER_WIDTH = 1280;

/** The task's lease was lost: the video was deleted, or another worker took over after a stalled heartbeat. */
class LeaseLostError extends Error {}

/** The worker is stopping: the task goes straight back to the queue instead of waiting for its lease to lapse. */
class ShutdownError extends Error {}

/**
 * Local copies of sources, shared by the tasks of one worker process: a worker that takes several chunks of
 * one video downloads it once. Only storage is needed, no disk shared between workers. A storage that keeps
 * the object on this disk (fs) is read in place: no copy, nothing to evict.
 */
class SourceCache {
  private readonly entries = new Map<string, { file: Promise<string>; users: number }>();

  constructor(
    private readonly dir: string,
    private readonly download: (key: string, file: string) => Promise<void>,
    /** Completes a file that holds the object's first bytes; false when it does not fit the object. */
    private readonly downloadRest: (key: string, file: string) => Promise<boolean>,
    private readonly inPlace: (key: string) => string | null,
    private readonly keep = 3,
  ) {}

  /**
   * Runs `work` on a local copy of the object. `seed` may first put the object's first bytes at the copy's place
   * (this worker's copy of an upload that was still arriving, `EarlyStartService.adoptPartialSource`): only the
   * rest is then downloaded.
   */
  async use<T>(key: string, work: (file: string) => Promise<T>, seed?: (file: string) => Promise<boolean>): Promise<T> {
    const local = this.inPlace(key);
    if (local !== null) return work(local);
    let entry = this.entries.get(key);
    if (!entry) {
      const file = path.join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 24));
      entry = {
        file: mkdir(this.dir, { recursive: true })
          .then(async () => {
            if (seed && (await seed(file)) && (await this.downloadRest(key, file))) return;
            await this.download(key, file);
          })
          .then(() => file),
        users: 0,
      };
      this.entries.set(key, entry);
    }
    entry.users += 1;
    try {
      const file = await entry.file.catch((error: unknown) => {
        this.entries.delete(key);
        throw error;
      });
      return await work(file);
    } finally {
      entry.users -= 1;
      await this.evict();
    }
  }

  private async evict(): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.keep) return;
      if (entry.users > 0) continue;
      this.entries.delete(key);
      await entry.file.then((file) => rm(file, { force: true })).catch(() => undefined);
    }
  }

  /** Removes every copy and the cache directory; for a stopping worker, when no task uses them. */
  async clear(): Promise<void> {
    this.entries.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  async forget(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry || entry.users > 0) return;
    this.entries.delete(key);
    await entry.file.then((file) => rm(file, { force: true })).catch(() => undefined);
  }
}

/** The infrastructure the chunked pipeline uses, and the settings it reads. */
export interface ChunkedTranscodePorts {
  db: Db;
  cache: Cache;
  queue: PgBoss;
  storage: Storage;
  config: Pick<
    Config,
    | 'dataDir'
    | 'JOB_LEASE_SECONDS'
    | 'JOB_RETRY_LIMIT'
    | 'CHUNK_SECONDS'
    | 'CHUNK_SPLIT_SECONDS'
    | 'SEGMENT_SECONDS'
    | 'TRANSCODE_MAX_HEIGHT'
    | 'SOURCE_MAX_WIDTH'
    | 'SOURCE_MAX_HEIGHT'
    | 'SOURCE_MAX_DURATION'
    | 'X264_PRESET'
    | 'STORYBOARD_INTERVAL'
    | 'KEEP_SOURCE'
    | 'WORKER_CONCURRENCY'
  >;
}

/**
 * The chunked pipeline, as named steps:
 *   plan      probe the source, cut it into chunks, write the chunks' tasks (cheap + expensive tier in the lead
 *             window, the whole ladder after it), audio and thumbnails;
 *   chunk     one ffmpeg encodes one chunk of one tier (or of every rung); its segments are re-timed and uploaded at once;
 *   audio     the whole file's audio, once;
 *   publish   after every task: EVENT playlists grow, the video turns `playable` when the start rungs begin;
 *   finalize  when the last task lands: VOD playlists, a static MPD, measured bandwidth, `ready`.
 */
export class ChunkedTranscodeService {
  private readonly logger: Logger;
  private readonly sources: SourceCache;
  private readonly sourceCacheDir: string;
  private readonly active = new Set<AbortController>();
  private readonly cpu: CpuPriorities;

  constructor(
    private readonly repo: ChunkedRepository,
    private readonly videos: VideoRepository,
    private readonly notifier: VideoEvents,
    private readonly early: EarlyStartService,
    private readonly ports: ChunkedTranscodePorts,
    logger: Logger,
    private readonly tools: MediaTools,
    /** Recorded on each task, to see which worker did what. */
    readonly workerName: string = `${hostname()}:${process.pid}`,
  ) {
    this.logger = logger.child({ component: 'chunked-transcode', worker: workerName });
    this.cpu = new CpuPriorities(ports.config.WORKER_CONCURRENCY, reniceProcess);
    this.sourceCacheDir = path.join(ports.config.dataDir, 'work', sourceCacheDirName(workerName));
    this.sources = new SourceCache(
      this.sourceCacheDir,
      (key, file) => ports.storage.download(key, file),
      (key, file) => downloadRest(ports.storage, key, file),
      (key) => ports.storage.localPath?.(key) ?? null,
    );
  }

  /** Step 1, for a `video.transcode` job: plan the video (or resume its plan after an interruption). */
  async plan(videoId: string): Promise<void> {
    const { config } = this.ports;
    const token = randomUUID();
    const claimed = await this.videos.claim(videoId, token, config.JOB_LEASE_SECONDS);
    if (!claimed) return;
    if (claimed.attempts > config.JOB_RETRY_LIMIT + 1) {
      await this.fail(videoId, `Processing was interrupted ${claimed.attempts - 1} times; the file may be too demanding to process`);
      return;
    }
    if (!claimed.source_key) {
      await this.fail(videoId, 'The upload is missing; upload the file again');
      return;
    }
    let existing = await this.repo.findPlan(videoId);
    // A plan made during the upload stands only if the whole file gives the same plan.
    if (existing && !existing.finishedAt && (await this.early.hasEarlyPlan(videoId))) {
      const options = await planOptionsNow(this.repo, config, existing.plan);
      const complete = await this.sources
        .use(claimed.source_key, (file) => this.probe(file), this.seedFromPartial(videoId))
        .then((info) => buildChunkedPlan(info, options))
        .catch((error: unknown) => {
          if (error instanceof InvalidSourceError) return null;
          throw error;
        });
      if (!(await this.early.confirm(videoId, existing.plan, complete))) existing = null;
    }
    if (existing && !existing.finishedAt) {
      // Requeued after every worker stopped: the finished chunks stay, the rest is queued again.
      await this.ports.db.transaction().execute(async (trx) => {
        for (const task of await this.repo.unfinishedTasks(videoId, trx)) await enqueueTask(this.ports.queue, trx, { videoId, task: task.task }, task.priority);
      });
      this.logger.info({ videoId }, 'resumed an interrupted chunked transcode');
      // Chunks finished during the upload may already make the video playable.
      await this.publish(videoId);
      return;
    }
    const sourceKey = claimed.source_key;
    let info: SourceInfo;
    try {
      info = await this.sources.use(sourceKey, (file) => this.probe(file), this.seedFromPartial(videoId));
    } catch (error) {
      if (error instanceof InvalidSourceError) {
        await this.fail(videoId, error.reason);
        await this.sources.forget(sourceKey);
        return;
      }
      throw error;
    }
    const plan = buildChunkedPlan(info, await planOptionsNow(this.repo, config));
    const mediaPrefix = mediaPrefixFor(videoId, token.slice(0, 8));
    await this.ports.db.transaction().execute(async (trx) => {
      const tasks = await this.schedule(trx, videoId, plan);
      await this.repo.createPlan(trx, videoId, mediaPrefix, plan, tasks);
      for (const task of tasks) await enqueueTask(this.ports.queue, trx, { videoId, task: task.task }, task.priority);
    });
    // This process's idle task workers start on the first tasks now rather than at their next poll.
    wakeQueue(TRANSCODE_TASK_QUEUE);
    wakeQueue(TRANSCODE_AUDIO_QUEUE);
    this.logger.info(
      { videoId, chunks: plan.chunks.length, tiers: plan.tiers.map((tier) => tier.name), rungs: plan.rungs.map((rung) => rung.name) },
      'planned chunked transcode',
    );
  }

  /**
   * Where the new plan's tasks go in the queue: into its uploader's rotation (`scheduleUploader`), which moves
   * the uploader's other waiting tasks too, so one person's many uploads share one person's turn.
   */
  private async schedule(trx: Transaction<Database>, videoId: string, plan: ChunkedPlan): Promise<TaskSpec[]> {
    return scheduleNewPlan(this.repo, trx, videoId, plan);
  }

  /** Steps 2–4, for a `video.transcode-task` job. */
  async runTask(videoId: string, task: string, attempt: AttemptInfo): Promise<void> {
    if (task === FINALIZE_TASK) {
      await this.publish(videoId);
      return;
    }
    const { config } = this.ports;
    const token = randomUUID();
    const claimed = await this.repo.claimTask(videoId, task, token, this.workerName, config.JOB_LEASE_SECONDS);
    if (!claimed) return;
    const planRow = await this.repo.findPlan(videoId);
    const video = await this.videos.findById(videoId);
    // While the upload is still arriving, a chunk reads the growing file, and only the bytes that are in.
    const partial =
      planRow && video && !video.source_key && claimed.kind === 'video'
        ? await this.early.partialSource(videoId, claimed.chunk_index, this.sourceCacheDir)
        : null;
    const sourceKey = video?.source_key ?? null;
    if (!planRow || (!sourceKey && !partial)) {
      // Its bytes are not in (or the upload went away): pending again; completion enqueues every unfinished task.
      await this.repo.releaseTask(videoId, task, token, 'Waiting for the upload');
      return;
    }
    const log = this.logger.child({ videoId, task, attempt: claimed.attempts });
    const abort = new AbortController();
    this.active.add(abort);
    const heartbeat = setInterval(
      () => {
        this.repo.heartbeatTask(videoId, task, token).then(
          (stillOurs) => {
            if (!stillOurs) abort.abort(new LeaseLostError('lease lost'));
          },
          (error: unknown) => log.warn({ err: error }, 'heartbeat failed'),
        );
      },
      Math.max(1000, Math.min(5000, (config.JOB_LEASE_SECONDS * 1000) / 4)),
    );
    const workDir = path.join(config.dataDir, 'work', taskScratchName(videoId, task, token));
    const startedAt = Date.now();
    // The audio has a slot of its own and is cheap: it always runs at normal priority.
    const tier = parseVideoTaskName(task)?.tier;
    const cpu = claimed.kind === 'audio' ? null : this.cpu.enter({ startRungs: tier === 'low' || tier === 'all', priority: claimed.priority });
    const run = (signal: AbortSignal): FfmpegRunOptions & { signal: AbortSignal } =>
      cpu ? { signal, nice: cpu.nice, onSpawn: (pid) => cpu.adopt(pid) } : { signal };
    let prefix: UploadPrefix | undefined;
    try {
      await mkdir(workDir, { recursive: true });
      const { plan, mediaPrefix } = planRow;
      prefix = await partial?.open();
      const result = prefix
        ? await this.encodeChunk(plan, mediaPrefix, prefix.file, workDir, task, run(abort.signal), prefix.bytes)
        : await this.sources.use(
            sourceKey!,
            async (source) => {
              if (claimed.kind === 'video') return this.encodeChunk(plan, mediaPrefix, source, workDir, task, run(abort.signal));
              if (claimed.kind === 'audio')
                return this.encodeAudio(plan, mediaPrefix, source, workDir, abort.signal, this.audioProgress(videoId, task, token, plan));
              return this.makeThumbnails(plan.info, mediaPrefix, source, workDir, run(abort.signal));
            },
            this.seedFromPartial(videoId),
          );
      if (abort.signal.aborted) throw abort.signal.reason;
      const completed = await this.ports.db.transaction().execute(async (trx) => {
        const timing = { wallSeconds: (Date.now() - startedAt) / 1000, inFront: cpu ? cpu.inFrontThroughout : null };
        if (!(await this.repo.completeTask(trx, videoId, task, token, result, timing))) return false;
        const done = await this.repo.doneTasks(videoId, trx);
        if (done.length === (await this.repo.countTasks(videoId, trx))) await enqueueTask(this.ports.queue, trx, { videoId, task: FINALIZE_TASK }, 0);
        return true;
      });
      if (!completed) throw new LeaseLostError('lease lost before completing');
      log.info({ seconds: (Date.now() - startedAt) / 1000 }, 'task done');
      await this.publish(videoId);
    } catch (error) {
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      if (reason instanceof ShutdownError) {
        await this.repo.releaseTask(videoId, task, token, 'The worker stopped; another one takes over');
        await this.ports.db.transaction().execute((trx) => enqueueTask(this.ports.queue, trx, { videoId, task }, claimed.priority));
        log.info('worker shutting down: task handed back to the queue');
        return;
      }
      if (reason instanceof LeaseLostError) {
        // Deleted mid-task: what this task uploaded must not outlive the video.
        if (!(await this.videos.findById(videoId))) await this.ports.storage.deletePrefix(`videos/${videoId}`).catch(() => undefined);
        // The plan was dropped (an upload abandoned with work started early): its outputs go with it.
        else if ((await this.repo.findPlan(videoId))?.mediaPrefix !== planRow.mediaPrefix)
          await this.ports.storage.deletePrefix(planRow.mediaPrefix).catch(() => undefined);
        log.warn('stopped: the video was deleted or the task was taken over');
        return;
      }
      if (error instanceof InvalidSourceError) {
        // The file is at fault, not the worker: no retry, and nothing of the attempt stays published.
        log.warn({ reason: error.reason }, 'source refused while encoding');
        await this.repo.releaseTask(videoId, task, token, error.reason);
        await this.fail(videoId, error.reason);
        await this.ports.storage.deletePrefix(planRow.mediaPrefix).catch(() => undefined);
        return;
      }
      const message = readableFailure(error);
      if (attempt.retryCount >= attempt.retryLimit) {
        log.error({ err: error }, 'task failed for good');
        await this.repo.releaseTask(videoId, task, token, message);
        await this.fail(videoId, message);
        return;
      }
      log.warn({ err: error }, 'task failed; will retry');
      await this.repo.releaseTask(videoId, task, token, message);
      throw error;
    } finally {
      await prefix?.release();
      // Complete upload: a copy of its first bytes not adopted by the source cache (which had the source already) goes.
      if (sourceKey) await this.early.forgetPartialSource(videoId).catch(() => undefined);
      cpu?.leave();
      clearInterval(heartbeat);
      await rm(workDir, { recursive: true, force: true });
      this.active.delete(abort);
    }
  }

  /** Puts this worker's copy of the upload's first bytes (made while it was arriving) where the whole source goes. */
  private seedFromPartial(videoId: string): (file: string) => Promise<boolean> {
    return (file) => this.early.adoptPartialSource(videoId, file);
  }

  /** Aborts running tasks and hands them back to the queue at once. */
  async shutdown(timeoutMs = 20_000): Promise<void> {
    for (const controller of this.active) controller.abort(new ShutdownError('shutting down'));
    const deadline = Date.now() + timeoutMs;
    while (this.active.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // A stopped worker leaves no source copies behind (a killed one's are swept by the next worker to start).
    if (this.active.size === 0) await this.sources.clear();
  }

  private async probe(file: string): Promise<SourceInfo> {
    const { config } = this.ports;
    const info = await probeSource(this.tools.ffprobe, file, {
      maxWidth: config.SOURCE_MAX_WIDTH,
      maxHeight: config.SOURCE_MAX_HEIGHT,
      maxDurationSeconds: config.SOURCE_MAX_DURATION,
    });
    // Chunks put every rung on a constant frame grid (fps=), which would fill a file whose few frames are
    // spread over hours with copies; so the frames are counted (demuxing only) within the declared length.
    const packets = Number.parseInt((await this.tools.ffprobe(countFramesArgs(file, info.videoStreamIndex, info.durationSeconds))).trim(), 10);
    checkTranscodedLength({ frames: Number.isFinite(packets) ? packets : null, durationSeconds: info.durationSeconds, frameRate: info.fps });
    return info;
  }

  /** Step 2: one chunk of one tier; segments go to storage on the video's timeline, the chunk-0 init too. */
  private async encodeChunk(
    plan: ChunkedPlan,
    prefix: string,
    source: string,
    workDir: string,
    task: string,
    run: FfmpegRunOptions & { signal: AbortSignal },
    /** Read only this many bytes of `source` (an upload still arriving). */
    inputBytes?: number,
  ): Promise<VideoTaskResult> {
    const { signal } = run;
    const [, index, tierName] = task.split(':');
    const chunk = plan.chunks[Number(index)];
    const tier = chunk ? tiersOfChunk(plan, chunk.index).find((candidate) => candidate.name === tierName) : undefined;
    if (!chunk || !tier) throw new Error(`unknown task ${task}`);
    const rungs = tier.rungIndexes.map((rungIndex) => plan.rungs[rungIndex]!);
    const { config } = this.ports;
    await this.tools.ffmpeg(
      buildChunkArgs({
        input: source,
        outputDir: workDir,
        info: plan.info,
        rungs,
        chunk,
        segmentSeconds: plan.segmentSeconds,
        preset: config.X264_PRESET,
        ...(inputBytes === undefined ? {} : { inputBytes }),
      }),
      run,
    );
    const files = await readdir(workDir);
    const streams: VideoTaskResult['streams'] = [];
    for (const [variant, rungIndex] of tier.rungIndexes.entries()) {
      const init = await readFile(path.join(workDir, CHUNK_FILES.initOf(variant, tier.rungIndexes.length)));
      const localSegments: Buffer[] = [];
      for (let number = 1; files.includes(CHUNK_FILES.segmentOf(variant, number)); number++)
        localSegments.push(await readFile(path.join(workDir, CHUNK_FILES.segmentOf(variant, number))));
      const placed = placeChunkSegments({ stream: rungIndex, chunk, frameRate: plan.rungs[rungIndex]!.frameRate, init, localSegments });
      await this.uploadAll(
        prefix,
        placed.segments.map((segment) => ({ name: segment.name, body: Buffer.from(segment.bytes) })),
        signal,
      );
      if (chunk.index === 0) await this.ports.storage.put(`${prefix}/${publishedNames.init(rungIndex)}`, init, mediaContentType('init.m4s'));
      streams.push({
        stream: rungIndex,
        timescale: placed.timescale,
        codecs: placed.codecs,
        segments: placed.segments.map((segment) => segment.record),
        sampleDescriptionSha256: createHash('sha256').update(sampleDescription(init)).digest('hex'),
      });
    }
    return { streams };
  }

  /**
   * Step 3: the whole audio track once; already on the video's timeline. Each segment is uploaded as soon as
   * ffmpeg lists it in its local playlist, and `onProgress` hears of it, so the audio playlist grows while the
   * encode runs and the video need not wait for the whole file's audio to start playing.
   */
  private async encodeAudio(
    plan: ChunkedPlan,
    prefix: string,
    source: string,
    workDir: string,
    signal: AbortSignal,
    onProgress: (soFar: AudioTaskResult) => Promise<void>,
  ): Promise<AudioTaskResult> {
    const stream = audioStreamOf(plan);
    if (stream === null || plan.info.audioStreamIndex === null) throw new Error('audio task for a source without audio');
    const bitrate = Math.max(...plan.rungs.map((rung) => rung.audioBitrate));
    // ffmpeg stops with the task (abort) and also when streaming its output fails.
    const stop = new AbortController();
    const forward = () => stop.abort(signal.reason);
    if (signal.aborted) forward();
    signal.addEventListener('abort', forward, { once: true });
    let finished = false;
    // Once it covers the first chunk (the video can be played), the rest of the audio — seconds of a core for a
    // long file, far ahead of any viewer at ~40× real time — runs behind the chunk that extends the start rungs.
    let encoder: number | null = null;
    let behind = false;
    const encoding = this.tools
      .ffmpeg(
        buildAudioArgs({
          input: source,
          outputDir: workDir,
          audioStreamIndex: plan.info.audioStreamIndex,
          segmentSeconds: plan.segmentSeconds,
          bitrate,
          durationSeconds: plan.info.durationSeconds,
        }),
        {
          signal: stop.signal,
          onSpawn: (pid) => {
            encoder = pid;
            return () => {
              encoder = null;
            };
          },
        },
      )
      .finally(() => {
        finished = true;
      });
    const ended = encoding.then(
      () => undefined,
      () => undefined,
    );
    const segments: SegmentRecord[] = [];
    let header: { timescale: number; codecs: string } | null = null;
    const uploadThrough = async (count: number): Promise<void> => {
      if (count <= segments.length) return;
      const init = await readFile(path.join(workDir, CHUNK_FILES.init));
      const firstNumber = segments.length + 1;
      const localSegments: Buffer[] = [];
      for (let number = firstNumber; number <= count; number++) localSegments.push(await readFile(path.join(workDir, CHUNK_FILES.audioSegmentOf(number))));
      const placed = placeAudioSegments({ stream, init, localSegments, firstNumber });
      if (!header) await this.ports.storage.put(`${prefix}/${publishedNames.init(stream)}`, init, mediaContentType('init.m4s'));
      await this.uploadAll(
        prefix,
        placed.segments.map((segment) => ({ name: segment.name, body: Buffer.from(segment.bytes) })),
        signal,
      );
      if (signal.aborted) throw signal.reason;
      header = { timescale: placed.timescale, codecs: placed.codecs };
      segments.push(...placed.segments.map((segment) => segment.record));
    };
    const soFar = (): AudioTaskResult => ({ stream: { stream, timescale: header!.timescale, codecs: header!.codecs, segments: [...segments] } });
    try {
      while (!finished) {
        await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, AUDIO_POLL_MS))]);
        if (finished) break;
        const playlist = await readFile(path.join(workDir, CHUNK_FILES.audioPlaylist), 'utf8').catch(() => '');
        const count = finishedAudioSegments(playlist);
        if (count <= segments.length) continue;
        await uploadThrough(count);
        const progress = soFar();
        if (!behind && encoder !== null && audioCoversFirstChunk(plan, progress.stream)) {
          reniceProcess(encoder, BACKGROUND_NICE);
          behind = true;
        }
        await onProgress(progress);
      }
    } catch (error) {
      stop.abort(error);
      await ended;
      throw error;
    } finally {
      signal.removeEventListener('abort', forward);
    }
    await encoding;
    // ffmpeg is done: every segment file left is whole (the last one may never have been listed before the end).
    const files = await readdir(workDir);
    let total = segments.length;
    while (files.includes(CHUNK_FILES.audioSegmentOf(total + 1))) total += 1;
    await uploadThrough(total);
    if (!header) throw new Error('the audio encode wrote no segments');
    return soFar();
  }

  /**
   * What the audio task does with each batch of segments it has uploaded: records them on its task row (never
   * fewer than an earlier attempt listed: a retry re-encodes from the start and re-uploads the same bytes, the AAC
   * encode being deterministic), and publishes when they first cover the first chunk (the video may become
   * playable), then at most every AUDIO_PUBLISH_INTERVAL_MS so the audio playlist keeps ahead of the video.
   */
  private audioProgress(videoId: string, task: string, token: string, plan: ChunkedPlan): (soFar: AudioTaskResult) => Promise<void> {
    let listed: number | null = null;
    let coveredStart = false;
    let publishedAt = 0;
    const record = async (soFar: AudioTaskResult) => {
      if (listed === null) {
        const earlier = (await this.repo.audioSoFar(videoId)) as AudioTaskResult | null;
        listed = earlier?.stream.segments.length ?? 0;
      }
      if (soFar.stream.segments.length <= listed) return;
      if (!(await this.repo.recordTaskProgress(videoId, task, token, soFar))) throw new LeaseLostError('lease lost while encoding audio');
      listed = soFar.stream.segments.length;
      const covers = audioCoversFirstChunk(plan, soFar.stream);
      if ((covers && !coveredStart) || Date.now() - publishedAt >= AUDIO_PUBLISH_INTERVAL_MS) {
        coveredStart ||= covers;
        publishedAt = Date.now();
        await this.publish(videoId);
      }
    };
    // Progress is a head start, not the result: a database blip skips this report (the next one, or the task's
    // result when it completes, records the segments), instead of failing the whole audio encode.
    return (soFar) =>
      record(soFar).catch((error: unknown) => {
        if (!isDatabaseUnavailable(error)) throw error;
        this.logger.info({ videoId, err: error }, 'audio progress not recorded: database unavailable');
      });
  }

  private async makeThumbnails(info: SourceInfo, prefix: string, source: string, workDir: string, run: FfmpegRunOptions): Promise<Record<string, never>> {
    const { config, storage } = this.ports;
    const poster = path.join(workDir, MEDIA_FILES.poster);
    await this.tools.ffmpeg(
      buildPosterArgs({
        input: source,
        output: poster,
        atSeconds: posterTimeSeconds(info.durationSeconds),
        width: Math.min(POSTER_WIDTH, info.width),
        videoStreamIndex: info.videoStreamIndex,
      }),
      run,
    );
    const options = { intervalSeconds: config.STORYBOARD_INTERVAL, ...STORYBOARD };
    const sprite = path.join(workDir, MEDIA_FILES.storyboardSprite);
    await this.tools.ffmpeg(buildStoryboardArgs({ input: source, output: sprite, info, ...options }), run);
    await storage.putFile(`${prefix}/${MEDIA_FILES.poster}`, poster, mediaContentType(MEDIA_FILES.poster));
    await storage.putFile(`${prefix}/${MEDIA_FILES.storyboardSprite}`, sprite, mediaContentType(MEDIA_FILES.storyboardSprite));
    await storage.put(
      `${prefix}/${MEDIA_FILES.storyboardVtt}`,
      storyboardVtt(planStoryboard(info, options), MEDIA_FILES.storyboardSprite),
      mediaContentType(MEDIA_FILES.storyboardVtt),
    );
    return {};
  }

  private async uploadAll(prefix: string, files: { name: string; body: Buffer }[], signal: AbortSignal): Promise<void> {
    const queue = [...files];
    const next = async (): Promise<void> => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        if (signal.aborted) return;
        await this.ports.storage.put(`${prefix}/${file.name}`, file.body, mediaContentType(file.name));
      }
    };
    await Promise.all(Array.from({ length: 6 }, next));
  }

  /**
   * Steps 4 and 5. Serialized per video by a row lock, so two workers finishing at once cannot publish an
   * older view over a newer one. Idempotent: it rewrites the same manifests from the same finished tasks.
   */
  async publish(videoId: string): Promise<void> {
    const became = await this.ports.db.transaction().execute(async (trx): Promise<'playable' | 'ready' | null> => {
      const planRow = await this.repo.lockPlan(trx, videoId);
      if (!planRow) return null;
      const { plan, mediaPrefix } = planRow;
      const done = await this.repo.doneTasks(videoId, trx);
      const audioSoFar = done.some((task) => task.task === 'audio') ? null : ((await this.repo.audioSoFar(videoId, trx)) as AudioTaskResult | null);
      const state = publishState(plan, done, await this.repo.countTasks(videoId, trx), audioSoFar);
      if (state.complete) checkOneInitPerRung(done.map((task) => task.result as VideoTaskResult));
      const files = publishedFiles(plan, state);
      if (state.publishedRungs.length === 0 || !state.playable) {
        await this.recordProgress(trx, videoId, plan, state, done, planRow.startedAt, []);
        return null;
      }
      const { storage } = this.ports;
      // Media playlists before the master that points at them; the MPD only when complete.
      for (const [name, body] of files) if (name !== HLS_MASTER) await storage.put(`${mediaPrefix}/${name}`, body, mediaContentType(name));
      await storage.put(`${mediaPrefix}/${HLS_MASTER}`, files.get(HLS_MASTER)!, mediaContentType(HLS_MASTER));
      const renditions = renditionsOf(plan, state);
      const fields = {
        mediaPrefix,
        durationSeconds: plan.info.durationSeconds,
        width: plan.info.width,
        height: plan.info.height,
        renditions: JSON.stringify(renditions),
      };
      if (state.complete) return (await this.repo.markReady(trx, videoId, fields)) ? 'ready' : null;
      const nowPlayable = await this.repo.markPlayable(trx, videoId, fields);
      await this.recordProgress(trx, videoId, plan, state, done, planRow.startedAt, renditions);
      return nowPlayable ? 'playable' : null;
    });
    await this.ports.cache.del(...videoCacheKeys(videoId));
    if (became === 'ready') {
      await this.notifier.videoReady(videoId);
      await this.afterReady(videoId);
    }
    if (became) this.logger.info({ videoId }, `video ${became}`);
  }

  private async recordProgress(
    trx: Transaction<Database>,
    videoId: string,
    plan: ChunkedPlan,
    state: PublishState,
    done: readonly { task: string; wall_seconds: number | null }[],
    startedAt: Date,
    renditions: StoredRendition[],
  ): Promise<void> {
    const elapsed = (Date.now() - startedAt.getTime()) / 1000;
    const etas = estimateRungEtas(
      plan,
      done.map((task) => ({ task: task.task, wallSeconds: task.wall_seconds })),
      elapsed,
    );
    const rungProgress = plan.rungs.map((rung, index) => ({
      name: rung.name,
      progress: Math.round((state.rungProgress[index] ?? 0) * 1000) / 1000,
      etaSeconds: etas[index] ?? null,
    }));
    // The whole video is done when its last rung is; before the rungs can be estimated, extrapolate.
    const known = etas.every((eta) => eta !== null);
    await this.repo.updateProgress(trx, videoId, {
      progress: Math.min(0.99, state.progress),
      etaSeconds: known && etas.length ? Math.max(...(etas as number[])) : estimateSecondsLeft(state.progress, elapsed),
      renditions: JSON.stringify(renditions),
      rungProgress: JSON.stringify(rungProgress),
    });
  }

  private async afterReady(videoId: string): Promise<void> {
    const video = await this.videos.findById(videoId);
    if (!video?.source_key) return;
    await this.sources.forget(video.source_key);
    const { storage, config } = this.ports;
    await storage.delete(`${video.source_key}.json`).catch(() => undefined);
    // The readable copies of the upload's parts (early start on S3) were for the chunks encoded during the upload.
    await storage.deletePrefix(uploadPartCopiesPrefix(uploadKeyFor(videoId))).catch(() => undefined);
    await this.early.forgetPartialSource(videoId);
    if (!config.KEEP_SOURCE) await storage.delete(video.source_key).catch(() => undefined);
  }

  private async fail(videoId: string, reason: string): Promise<void> {
    await this.repo.markFailed(videoId, reason);
    // A retry reads the complete source; the part copies kept for early start are not needed any more.
    if ((await this.videos.findById(videoId))?.source_key)
      await this.ports.storage.deletePrefix(uploadPartCopiesPrefix(uploadKeyFor(videoId))).catch(() => undefined);
    await this.ports.cache.del(...videoCacheKeys(videoId));
    await this.notifier.videoFailed(videoId);
  }
}

/** The manifests for the current state: EVENT playlists while growing, VOD + MPD once complete. */
export function publishedFiles(plan: ChunkedPlan, state: PublishState): Map<string, string> {
  const files = new Map<string, string>();
  const audioStream = audioStreamOf(plan);
  const audio = audioStream === null ? null : state.streams[audioStream]!;
  for (const rungIndex of state.publishedRungs) {
    files.set(
      publishedNames.mediaPlaylist(rungIndex),
      buildMediaPlaylist(state.streams[rungIndex]!, { complete: state.complete, targetDurationSeconds: plan.segmentSeconds }),
    );
  }
  if (audio && audio.segments.length)
    files.set(
      publishedNames.mediaPlaylist(audio.stream),
      buildMediaPlaylist(audio, { complete: state.audioComplete, targetDurationSeconds: plan.segmentSeconds }),
    );
  const audioInput = audio && audio.segments.length ? { stream: audio.stream, codecs: audio.codecs, bandwidth: measureBandwidth(audio) } : null;
  files.set(
    HLS_MASTER,
    buildMasterPlaylist(
      state.publishedRungs.map((rungIndex) => {
        const rung = plan.rungs[rungIndex]!;
        const stream = state.streams[rungIndex]!;
        return {
          stream: rungIndex,
          width: rung.width,
          height: rung.height,
          frameRate: rung.frameRate,
          codecs: stream.codecs,
          bandwidth: measureBandwidth(stream),
        };
      }),
      audioInput,
    ),
  );
  if (state.complete) {
    const video = plan.rungs.map((rung, rungIndex) => ({
      ...state.streams[rungIndex]!,
      width: rung.width,
      height: rung.height,
      frameRate: rung.frameRate,
      sar: rungSampleAspectRatio(plan.info, rung),
    }));
    files.set(DASH_MANIFEST, buildDashManifest({ durationSeconds: plan.info.durationSeconds, video, audio: audio && audio.segments.length ? audio : null }));
  }
  return files;
}

function renditionsOf(plan: ChunkedPlan, state: PublishState): StoredRendition[] {
  const audioStream = audioStreamOf(plan);
  const audio: StreamRecord | null = audioStream === null ? null : state.streams[audioStream]!;
  const audioPeak = audio && audio.segments.length ? measureBandwidth(audio).peak : 0;
  return state.publishedRungs.map((rungIndex) => {
    const rung = plan.rungs[rungIndex]!;
    const stream = state.streams[rungIndex]!;
    return {
      name: rung.name,
      width: rung.width,
      height: rung.height,
      bandwidth: measureBandwidth(stream).peak + audioPeak,
      codecs: audio && audio.segments.length ? `${stream.codecs},${audio.codecs}` : stream.codecs,
      frameRate: rung.frameRate,
    };
  });
}

/** Every chunk of a rung must carry the same SPS/PPS, or players switching chunks would decode garbage. */
function checkOneInitPerRung(results: readonly VideoTaskResult[]): void {
  const seen = new Map<number, string>();
  for (const result of results) {
    for (const stream of result?.streams ?? []) {
      const first = seen.get(stream.stream);
      if (first === undefined) seen.set(stream.stream, stream.sampleDescriptionSha256);
      else if (first !== stream.sampleDescriptionSha256) throw new Error(`chunks of stream ${stream.stream} disagree on their codec configuration`);
    }
  }
}

/** A failure in words for the uploader: no paths, no ffmpeg output. */
function readableFailure(error: unknown): string {
  if (error instanceof ProcessFailedError) return 'Part of the video could not be converted; the file may be damaged';
  return 'Processing failed because of a problem on our side; retry it from the studio';
}
