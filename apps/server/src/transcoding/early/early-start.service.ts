import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  checkSourceLimits,
  completeProbedInfo,
  detectSourceLayout,
  InvalidSourceError,
  lateStartReason,
  MalformedMatroskaError,
  matroskaChunkBytes,
  matroskaScanStart,
  parseMoovSamples,
  parseProbe,
  planChunkBytes,
  readMatroskaHead,
  scanClusters,
} from '@tube/ladder';
import type { Logger } from 'pino';
import type PgBoss from 'pg-boss';
import type { Config } from '../../config.ts';
import type { Cache } from '../../infra/cache/cache.ts';
import type { Db } from '../../infra/db/database.ts';
import type { Storage } from '../../infra/storage/storage.ts';
import { resolveFfmpeg, runProcess } from '../../infra/ffmpeg/ffmpeg.ts';
import { mediaPrefixFor } from '../../playback/media-urls.ts';
import { cancelPendingTasks } from '../../videos/video.jobs.ts';
import { videoCacheKeys } from '../../videos/video.service.ts';
import { buildChunkedPlan, type ChunkedPlan } from '../chunked/chunked-plan.ts';
import { planOptionsNow, scheduleNewPlan } from '../chunked/chunked-schedule.ts';
import type { ChunkedRepository } from '../chunked/chunked.repository.ts';
import { enqueueTask } from '../chunked/chunked.queue.ts';
import type { MediaTools } from '../chunked/media-tools.ts';
import type { EarlyStartRepository } from './early-start.repository.ts';
import { FsGrowingUpload, S3GrowingUpload, type GrowingUpload, type UploadPrefix, type UploadState } from './growing-upload.ts';

/** Enough to see the box order of any ordinary MP4 (ftyp, free, wide, then moov or mdat). */
const HEAD_BYTES = 64 * 1024;
/** An index larger than this is not read into memory during the upload; such a file starts at completion. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;
/** Matroska/WebM: the header elements before the first cluster (Info, Tracks, Tags, attachments) must fit. */
const MATROSKA_HEAD_BYTES = 1024 * 1024;
/** Bytes read at a time by the cluster scan; a cluster larger than MAX_CLUSTER_BYTES is not scanned early. */
const CLUSTER_SCAN_WINDOW = 4 * 1024 * 1024;
const MAX_CLUSTER_BYTES = 64 * 1024 * 1024;

/** Keys sorted, so a plan read back from jsonb compares equal to the one just built. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export const samePlan = (a: ChunkedPlan, b: ChunkedPlan): boolean => canonical(a) === canonical(b);

/** The settings early start reads (the source limits and the plan's shape, as the planner uses them). */
export type EarlyStartConfig = Pick<
  Config,
  | 'TRANSCODE_MODE'
  | 'EARLY_START'
  | 'mediaDir'
  | 'dataDir'
  | 'CHUNK_SECONDS'
  | 'CHUNK_SPLIT_SECONDS'
  | 'SEGMENT_SECONDS'
  | 'TRANSCODE_MAX_HEIGHT'
  | 'SOURCE_MAX_WIDTH'
  | 'SOURCE_MAX_HEIGHT'
  | 'SOURCE_MAX_DURATION'
  | 'FFMPEG_PATH'
  | 'FFPROBE_PATH'
>;

/**
 * Starting the chunked pipeline before the upload ends (fast-start MP4, MKV/WebM; the bytes that have arrived are
 * read where they grow on fs, from a readable copy of each part on S3, see `growing-upload.ts`):
 *   look      after each PATCH: is the container plannable from its head (moov before mdat; a Matroska
 *             Segment Info with a duration)?
 *   plan      once the index (MP4) or the first cluster (Matroska) is in: probe the bytes so far, make the usual
 *             plan, note the bytes each chunk needs (MP4: from the sample tables, all at once; Matroska: from
 *             the clusters that have arrived, settled as they come);
 *   release   enqueue the chunks whose bytes have arrived (the rest, audio and thumbnails wait);
 *   confirm   at completion the plan is made again from the whole file and must be the same, else it is redone;
 *   cancel    an upload that is removed or refused at the end takes the early plan and its outputs with it.
 */
export class EarlyStartService {
  private readonly logger: Logger;
  private tools: Pick<MediaTools, 'ffprobe'> | undefined;
  private readonly growing: GrowingUpload;

  constructor(
    private readonly repo: EarlyStartRepository,
    private readonly plans: ChunkedRepository,
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly queue: PgBoss,
    private readonly storage: Storage,
    logger: Logger,
    private readonly config: EarlyStartConfig,
    tools?: Pick<MediaTools, 'ffprobe'>,
  ) {
    this.logger = logger.child({ component: 'early-start' });
    this.tools = tools;
    const ffprobe = () => this.mediaTools.ffprobe;
    this.growing =
      storage.driver === 'fs' ? new FsGrowingUpload(config.mediaDir, ffprobe) : new S3GrowingUpload(storage, path.resolve(config.dataDir, 'tmp'), ffprobe);
  }

  /** Only the chunked pipeline plans early. */
  get applies(): boolean {
    return this.config.TRANSCODE_MODE === 'chunked';
  }

  private get enabled(): boolean {
    return this.applies && this.config.EARLY_START;
  }

  private get mediaTools(): Pick<MediaTools, 'ffprobe'> {
    if (!this.tools) {
      const { ffprobe } = resolveFfmpeg(this.config, this.logger);
      this.tools = { ffprobe: (args) => runProcess(ffprobe, args) };
    }
    return this.tools;
  }

  /** After a PATCH (never throws: early start is an optimisation, the upload must not suffer from it). */
  async uploadProgressed(videoId: string): Promise<void> {
    if (!this.applies) return;
    try {
      await this.look(videoId);
    } catch (error) {
      this.logger.warn({ err: error, videoId }, 'could not start processing during the upload; it starts at completion');
    }
  }

  private async decideLate(videoId: string, note: string): Promise<void> {
    await this.repo.setProcessingStart(this.db, videoId, 'at_completion', note, { onlyUndecided: true });
    await this.cache.del(...videoCacheKeys(videoId));
  }

  private async look(videoId: string): Promise<void> {
    const upload = await this.repo.uploadState(videoId);
    // A complete upload goes the usual way; an unknown length cannot be planned against.
    if (!upload || upload.size === null || upload.receivedBytes >= upload.size || upload.receivedBytes === 0) return;
    const totalBytes = upload.size;
    // Only what every node can read counts (on S3: whole parts; the bytes of the part not yet full wait).
    const readable = this.growing.readableBytes(upload);
    const read = (start: number, end: number) => this.growing.read(videoId, upload, start, end);
    const existing = await this.repo.find(videoId);
    if (existing) {
      if (readable === 0) return;
      if (detectSourceLayout(await read(0, 8), totalBytes).kind === 'matroska') await this.settleMatroska(videoId, upload, readable);
      await this.release(videoId, readable);
      return;
    }
    const video = await this.db.selectFrom('videos').select(['status', 'processing_start']).where('id', '=', videoId).executeTakeFirst();
    if (!video || video.status !== 'awaiting_upload' || video.processing_start !== null) return;
    if (!this.enabled) {
      await this.decideLate(videoId, 'Processing starts when the upload completes');
      return;
    }
    if (readable === 0) return;
    const head = await read(0, Math.min(readable, HEAD_BYTES));
    const layout = detectSourceLayout(head, totalBytes);
    if (layout.kind === 'need-more-bytes') return;
    if (layout.kind === 'matroska') {
      await this.lookMatroska(videoId, upload, readable);
      return;
    }
    if (layout.kind !== 'fast-start') {
      await this.decideLate(videoId, lateStartReason(layout) ?? 'Processing starts when the upload completes');
      return;
    }
    if (layout.moovEnd - layout.moovStart > MAX_MOOV_BYTES) {
      await this.decideLate(videoId, 'Processing starts when the upload completes: the index of this file is too large to read early');
      return;
    }
    if (readable < layout.moovEnd) return;
    await this.planEarly(videoId, upload, readable, async (plan) => {
      const tracks = parseMoovSamples(await read(layout.moovStart, layout.moovEnd));
      return planChunkBytes(tracks, plan.chunks, { moovEnd: layout.moovEnd, totalBytes });
    });
  }

  /**
   * MKV/WebM: plannable once the head up to the first cluster and that cluster are in, if the Segment Info
   * gives the duration (a live recording, as MediaRecorder streams it, does not: nothing to plan against).
   */
  private async lookMatroska(videoId: string, upload: UploadState, readableBytes: number): Promise<void> {
    const totalBytes = upload.size!;
    let head: ReturnType<typeof readMatroskaHead>;
    try {
      head = readMatroskaHead(await this.growing.read(videoId, upload, 0, Math.min(readableBytes, MATROSKA_HEAD_BYTES)));
    } catch (error) {
      if (!(error instanceof MalformedMatroskaError)) throw error;
      await this.decideLate(videoId, 'Processing starts when the upload completes: the start of this file could not be read on its own');
      return;
    }
    if (head.kind === 'need-more-bytes') {
      if (readableBytes >= MATROSKA_HEAD_BYTES)
        await this.decideLate(videoId, 'Processing starts when the upload completes: the header of this file is too large to read early');
      return;
    }
    if (head.durationSeconds === null) {
      await this.decideLate(
        videoId,
        'Processing starts when the upload completes: this file does not say how long it is (as a live or browser recording streams it)',
      );
      return;
    }
    const firstCluster = scanClusters(
      await this.growing.read(videoId, upload, head.firstClusterOffset, Math.min(readableBytes, head.firstClusterOffset + CLUSTER_SCAN_WINDOW)),
      head.firstClusterOffset,
      head.timestampScale,
    );
    if (firstCluster.clusters.length === 0) return;
    // Every chunk needs the whole file until the clusters that have arrived say otherwise.
    await this.planEarly(videoId, upload, readableBytes, async (plan) => plan.chunks.map(() => totalBytes));
  }

  private async planEarly(videoId: string, upload: UploadState, readableBytes: number, bytesPerChunk: (plan: ChunkedPlan) => Promise<number[]>): Promise<void> {
    const { config } = this;
    const totalBytes = upload.size!;
    let chunkBytes: number[];
    let plan: ChunkedPlan;
    try {
      const output = await this.growing.probe(videoId, upload, readableBytes);
      const info = completeProbedInfo(parseProbe(JSON.parse(output)), totalBytes);
      checkSourceLimits(info, { maxWidth: config.SOURCE_MAX_WIDTH, maxHeight: config.SOURCE_MAX_HEIGHT, maxDurationSeconds: config.SOURCE_MAX_DURATION });
      plan = buildChunkedPlan(info, await planOptionsNow(this.plans, config));
      chunkBytes = await bytesPerChunk(plan);
    } catch (error) {
      // The whole file gets the usual checks at completion, with the usual reasons; here it only waits.
      if (!(error instanceof InvalidSourceError)) this.logger.info({ err: error, videoId }, 'the head of the upload could not be planned');
      await this.decideLate(videoId, 'Processing starts when the upload completes: the start of this file could not be read on its own');
      return;
    }
    const mediaPrefix = mediaPrefixFor(videoId, randomUUID().slice(0, 8));
    const created = await this.db.transaction().execute(async (trx) => {
      if (!(await this.repo.lockPlannableVideo(trx, videoId))) return false;
      // In its uploader's turn, as at completion (the priorities stand when the plan is confirmed).
      const tasks = await scheduleNewPlan(this.plans, trx, videoId, plan);
      await this.plans.createPlan(trx, videoId, mediaPrefix, plan, tasks);
      await this.repo.insert(trx, videoId, totalBytes, chunkBytes);
      await this.repo.setProcessingStart(trx, videoId, 'during_upload', null);
      return true;
    });
    if (!created) return;
    await this.cache.del(...videoCacheKeys(videoId));
    this.logger.info({ videoId, chunks: plan.chunks.length, chunkBytes }, 'planned during the upload');
    if (detectSourceLayout(await this.growing.read(videoId, upload, 0, 8), totalBytes).kind === 'matroska')
      await this.settleMatroska(videoId, upload, readableBytes);
    await this.release(videoId, readableBytes);
  }

  /**
   * Matroska: scans the clusters that arrived since the last settled chunk and lowers the bytes the chunks
   * need (under the row lock: the scan after one PATCH may overlap the next PATCH's).
   */
  private async settleMatroska(videoId: string, upload: UploadState, readableBytes: number): Promise<void> {
    const readRange = (start: number, end: number) => this.growing.read(videoId, upload, start, end);
    const head = readMatroskaHead(await readRange(0, Math.min(readableBytes, MATROSKA_HEAD_BYTES)));
    const planRow = await this.plans.findPlan(videoId);
    if (head.kind !== 'matroska' || !planRow) return;
    const chunks = planRow.plan.chunks;
    const settled = await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.lock(trx, videoId);
      if (!row) return null;
      let chunkBytes = row.chunkBytes;
      let at = matroskaScanStart(chunkBytes, row.totalBytes, head.firstClusterOffset);
      let window = CLUSTER_SCAN_WINDOW;
      while (at < readableBytes && chunkBytes.slice(0, -1).some((bytes) => bytes >= row.totalBytes)) {
        const end = Math.min(readableBytes, at + window);
        const scan = scanClusters(await readRange(at, end), at, head.timestampScale);
        chunkBytes = matroskaChunkBytes(chunkBytes, scan.clusters, chunks, row.totalBytes);
        if (scan.resumeAt > at) {
          at = scan.resumeAt;
          window = CLUSTER_SCAN_WINDOW;
        } else if (end < readableBytes && window < MAX_CLUSTER_BYTES) {
          window *= 2; // a cluster larger than the window
        } else {
          break;
        }
      }
      if (chunkBytes.every((bytes, index) => bytes === row.chunkBytes[index])) return null;
      await this.repo.setChunkBytes(trx, videoId, chunkBytes);
      return chunkBytes;
    });
    if (settled) this.logger.debug({ videoId, chunkBytes: settled, readableBytes }, 'clusters arrived');
  }

  /** Enqueues, in order, every chunk whose bytes have arrived and that is not enqueued yet. */
  private async release(videoId: string, readableBytes: number): Promise<void> {
    const released = await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.lock(trx, videoId);
      if (!row) return [];
      let next = row.enqueuedChunks;
      const chunks: number[] = [];
      while (next < row.chunkBytes.length && row.chunkBytes[next]! <= readableBytes) {
        for (const task of await this.repo.chunkTasks(trx, videoId, next)) await enqueueTask(this.queue, trx, { videoId, task: task.task }, task.priority);
        chunks.push(next);
        next += 1;
      }
      if (chunks.length) await this.repo.setEnqueued(trx, videoId, next);
      return chunks;
    });
    if (released.length) this.logger.info({ videoId, chunks: released, readableBytes }, 'chunks released during the upload');
  }

  /**
   * For a chunk task of a video still uploading: a file with the bytes that have arrived (the growing file on fs,
   * a local copy kept in `cacheDir` on S3) and how many to read, or null when the chunk's bytes are not all in
   * (or the upload is no longer in progress). `open` fetches what a local copy lacks; `release` it when done.
   */
  async partialSource(videoId: string, chunkIndex: number, cacheDir: string): Promise<{ open(): Promise<UploadPrefix> } | null> {
    if (!this.enabled) return null;
    const row = await this.repo.find(videoId);
    const upload = await this.repo.uploadState(videoId);
    const needed = row?.chunkBytes[chunkIndex];
    if (!row || !upload || needed === undefined || this.growing.readableBytes(upload) < needed) return null;
    return { open: () => this.growing.openPrefix(videoId, upload, needed, cacheDir) };
  }

  /** The upload is complete: this process's copy of its first bytes, if any, becomes `file` (true), to be completed. */
  async adoptPartialSource(videoId: string, file: string): Promise<boolean> {
    return this.growing.adoptPrefix(videoId, file);
  }

  /** The upload is complete (or gone): this process's copy of its partial bytes, if any, is no longer needed. */
  async forgetPartialSource(videoId: string): Promise<void> {
    await this.growing.forget(videoId);
  }

  /**
   * At completion, with the plan made from the whole file: keep the early plan when it is the same (its
   * finished chunks count), otherwise drop it and its outputs. True when the early plan stands.
   */
  async confirm(videoId: string, early: ChunkedPlan, complete: ChunkedPlan | null): Promise<boolean> {
    if (complete && samePlan(early, complete)) {
      await this.repo.delete(this.db, videoId);
      this.logger.info({ videoId }, 'the plan made during the upload holds for the whole file');
      return true;
    }
    this.logger.warn({ videoId }, 'the plan made during the upload differs from the whole file; planning again');
    await this.cancel(videoId);
    return false;
  }

  /** True when the video has a plan made during its upload that completion has not confirmed yet. */
  async hasEarlyPlan(videoId: string): Promise<boolean> {
    return (await this.repo.find(videoId)) !== null;
  }

  /**
   * Drops an unconfirmed early plan: pending task jobs, plan and task rows, then the outputs. Running tasks
   * lose their lease at their next heartbeat and remove what they wrote. A no-op without an early plan.
   */
  async cancel(videoId: string): Promise<void> {
    const prefix = await this.db.transaction().execute(async (trx) => {
      const row = await this.repo.lock(trx, videoId);
      if (!row) return null;
      const plan = await this.plans.lockPlan(trx, videoId);
      await cancelPendingTasks(trx, videoId);
      await trx.deleteFrom('transcode_plans').where('video_id', '=', videoId).execute();
      await this.repo.delete(trx, videoId);
      await this.repo.setProcessingStart(trx, videoId, null, null);
      return plan?.mediaPrefix ?? null;
    });
    if (prefix === null) return;
    await this.storage.deletePrefix(prefix);
    await this.cache.del(...videoCacheKeys(videoId));
    this.logger.info({ videoId }, 'work started during the upload was cancelled');
  }
}
