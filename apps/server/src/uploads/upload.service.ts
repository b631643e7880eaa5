import { ERRORS } from '@tus/utils';
import { Counter } from 'prom-client';
import { AppError, conflict, notFound } from '../infra/http/errors.ts';
import { S3Storage } from '../infra/storage/s3-storage.ts';
import { wakeQueue } from '../infra/queue/wakeups.ts';
import { enqueueTranscode, TRANSCODE_QUEUE } from '../videos/video.jobs.ts';
import type { VideoService } from '../videos/video.service.ts';
import { uploadKeyFor } from '../videos/video.service.ts';
import { FsUploadBytes, S3UploadBytes, type UploadBytes } from './upload-bytes.ts';
import { UploadLockedError, UploadLocker } from './upload-lock.ts';
import type { UploadRepository } from './upload.repository.ts';
import { SharedUploadStore } from './tus-store.ts';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../infra/db/database.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { Storage } from '../infra/storage/storage.ts';
import type { VideoRepository } from '../videos/video.repository.ts';

const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
const SWEEP_BATCH = 100;
const SWEPT_METRIC = 'tube_uploads_swept_total';
/**
 * How long a request waits for another request's lock before it is told to retry (423). Longer than tus's
 * lock drain timeout (3 s), after which a holder on this node that was asked to let go is aborted.
 */
const LOCK_WAIT_MS = 5000;

/** Work started on an upload before it completed (the chunked pipeline's early start), told how the upload goes. */
export interface EarlyWork {
  /** Bytes arrived: work whose bytes are in may start. Never throws. */
  uploadProgressed(videoId: string): Promise<void>;
  /** The upload was removed or refused at the end: work started early and its outputs go. */
  cancel(videoId: string): Promise<void>;
}

type UploadConfig = Pick<
  Config,
  | 'USER_UPLOAD_QUOTA_BYTES'
  | 'UPLOAD_MAX_BYTES'
  | 'UPLOAD_EXPIRY_SECONDS'
  | 'UPLOAD_SWEEP_INTERVAL'
  | 'UPLOAD_LOCK_LEASE_SECONDS'
  | 'mediaDir'
  | 'EARLY_START'
  | 'TRANSCODE_MODE'
>;

const NO_EARLY_WORK: EarlyWork = { uploadProgressed: async () => {}, cancel: async () => {} };

/**
 * Uploads beyond the tus protocol: quota reservations, completion (idempotent, so an interrupted one can be
 * finished later by any node) and the sweep that finishes stranded completions and removes abandoned uploads.
 */
export class UploadService {
  readonly store: SharedUploadStore;
  readonly locker: UploadLocker;
  private readonly swept: Counter<'outcome'>;

  constructor(
    private readonly videos: VideoService,
    private readonly videoRepo: VideoRepository,
    private readonly repo: UploadRepository,
    private readonly db: Db,
    private readonly queue: PgBoss,
    storage: Storage,
    { registry }: Pick<Metrics, 'registry'>,
    private readonly logger: Logger,
    private readonly config: UploadConfig,
    readonly early: EarlyWork = NO_EARLY_WORK,
  ) {
    // Early start reads the parts that have arrived: on S3 that takes a readable copy of each.
    const readableCopies = config.EARLY_START && config.TRANSCODE_MODE === 'chunked';
    const bytes: UploadBytes =
      storage instanceof S3Storage ? new S3UploadBytes(storage, config.UPLOAD_MAX_BYTES, readableCopies) : new FsUploadBytes(config.mediaDir);
    this.store = new SharedUploadStore(repo, bytes, videoRepo, config.UPLOAD_EXPIRY_SECONDS);
    this.locker = new UploadLocker(repo, config.UPLOAD_LOCK_LEASE_SECONDS, LOCK_WAIT_MS);
    this.swept =
      (registry.getSingleMetric(SWEPT_METRIC) as Counter<'outcome'> | undefined) ??
      new Counter({
        name: SWEPT_METRIC,
        help: 'Uploads the sweep finished (interrupted completions) or removed (expired, orphaned)',
        labelNames: ['outcome'],
        registers: [registry],
      });
  }

  private get quotaBytes(): number {
    return this.config.USER_UPLOAD_QUOTA_BYTES;
  }

  private quotaExceeded(wantedBytes: number, usedByOthers: number): AppError {
    return new AppError(
      413,
      'quota_exceeded',
      `This upload (${mib(wantedBytes)}) would exceed your quota: ${mib(usedByOthers)} of ${mib(this.quotaBytes)} used or reserved`,
    );
  }

  /**
   * Reserves quota for an upload of `totalBytes`; `exact` refuses with 413 unless all of it is granted, otherwise
   * (a deferred length streamed without Content-Length) the reservation is what room is left. Returns it.
   */
  async reserve(userId: string, videoId: string, totalBytes: number, exact: boolean, mode: 'create' | 'update'): Promise<number> {
    const { reservedBytes, usedByOthers } = await this.repo.reserve(userId, videoId, totalBytes, this.quotaBytes, mode);
    if (exact && reservedBytes < totalBytes) throw this.quotaExceeded(totalBytes, usedByOthers);
    return reservedBytes;
  }

  /** After a request on an upload of unknown length: hold only what arrived, so idle uploads block no quota. */
  async shrinkReservation(videoId: string): Promise<void> {
    await this.repo.releaseUnusedReservation(videoId);
  }

  /**
   * The upload is complete: queue the video and its job, and forget the upload's state, in one transaction.
   * Idempotent: a repeat for a video already queued is a no-op.
   */
  async complete(videoId: string): Promise<void> {
    const record = await this.repo.find(videoId);
    if (!record || record.size === null || record.receivedBytes !== record.size) return;
    const key = uploadKeyFor(videoId);
    await this.completeInTransaction(videoId, key, record).catch(async (error: unknown) => {
      // Refused at the end (quota): whatever was encoded during the upload must not outlive the refusal.
      if (error instanceof AppError && error.code === 'quota_exceeded') await this.early.cancel(videoId);
      throw error;
    });
    // Committed: a worker in this process (ROLE=all) starts on it now rather than at its next poll.
    wakeQueue(TRANSCODE_QUEUE);
    // A cache that cannot be told (Redis down) only means a stale entry for its short TTL.
    await this.videos.invalidate(videoId).catch((error: unknown) => this.logger.warn({ err: error, videoId }, 'could not invalidate the cached video'));
  }

  private async completeInTransaction(videoId: string, key: string, record: NonNullable<Awaited<ReturnType<UploadRepository['find']>>>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.repo.lockUser(trx, record.userId);
      if (this.quotaBytes > 0) {
        const usedByOthers = await this.repo.bytesUsedOutside(trx, record.userId, videoId);
        if (usedByOthers + record.size! > this.quotaBytes) throw this.quotaExceeded(record.size!, usedByOthers);
      }
      const queued = await this.videoRepo.markQueued(trx, videoId, { key, bytes: record.size!, filename: record.metadata.filename ?? null });
      if (queued) await enqueueTranscode(this.queue, trx, videoId);
      await this.repo.delete(videoId, trx);
      if (!queued) {
        const video = await trx.selectFrom('videos').select(['status', 'source_key']).where('id', '=', videoId).executeTakeFirst();
        if (!video || video.source_key !== key) throw conflict('This video is not waiting for an upload', 'not_awaiting_upload');
      }
    });
  }

  /** The video a tus request names (lower-case ids only: the id is also the upload's storage key). */
  async uploadTarget(videoId: string) {
    return UPLOAD_ID.test(videoId) ? await this.videoRepo.findById(videoId) : undefined;
  }

  /** The video an upload URL names, if it is the user's own: anyone else's (even an admin's view of it) is "not found". */
  async ownUpload(userId: string, videoId: string) {
    const video = await this.uploadTarget(videoId);
    if (!video || video.user_id !== userId) throw notFound('Upload not found');
    return video;
  }

  /** Finishes an upload whose bytes all arrived but whose completion was interrupted. True if it did. */
  async recoverIfStranded(videoId: string): Promise<boolean> {
    const record = await this.repo.find(videoId);
    if (!record || record.size === null || record.receivedBytes !== record.size) return false;
    const video = await this.videoRepo.findById(videoId);
    if (!video || (video.status !== 'awaiting_upload' && video.status !== 'failed')) return false;
    const lock = this.locker.newLock(uploadKeyFor(videoId));
    try {
      await lock.lock(new AbortController().signal, () => {});
    } catch (error) {
      // Someone is finishing it right now; leave it to them (or to the next sweep).
      if (error instanceof UploadLockedError) return false;
      throw error;
    }
    try {
      await this.store.assemble(videoId);
    } finally {
      await lock.unlock();
    }
    await this.complete(videoId);
    return true;
  }

  /**
   * Reserves quota before tus reads a PATCH body of an upload whose length is still deferred. Returns the most
   * bytes the upload may reach in this request, or undefined when its length is known (reserved at creation).
   */
  async reserveForPatch(
    userId: string,
    videoId: string,
    headers: { uploadLength?: number; uploadOffset?: number; contentLength?: number },
  ): Promise<number | undefined> {
    const record = await this.repo.find(videoId);
    if (!record || record.size !== null) return undefined;
    const maxBytes = this.config.UPLOAD_MAX_BYTES;
    const offset = headers.uploadOffset ?? record.receivedBytes;
    const wanted = headers.uploadLength ?? (headers.contentLength !== undefined ? offset + headers.contentLength : undefined);
    if (wanted !== undefined && wanted > maxBytes) {
      throw new AppError(413, 'upload_too_large', `This upload would be larger than the largest the server accepts (${maxBytes} bytes)`);
    }
    // A body of unknown length may take all the room left; tus cuts it where the reservation ends.
    return this.reserve(userId, videoId, wanted ?? maxBytes, wanted !== undefined, 'update');
  }

  /** Removes one abandoned upload's bytes and state, unless a request holds it right now. */
  private async removeAbandoned(videoId: string): Promise<boolean> {
    const lock = this.locker.newLock(uploadKeyFor(videoId));
    try {
      await lock.lock(new AbortController().signal, () => {});
    } catch (error) {
      if (error instanceof UploadLockedError) return false;
      throw error;
    }
    try {
      // Never the bytes of a video that was queued with them: only the forgotten state goes.
      const video = await this.videoRepo.findById(videoId);
      if (video && video.status !== 'awaiting_upload' && video.status !== 'failed') {
        await this.repo.delete(videoId);
        return true;
      }
      await this.early.cancel(videoId);
      await this.store.remove(uploadKeyFor(videoId)).catch((error: unknown) => {
        if (error !== ERRORS.FILE_NOT_FOUND) throw error;
      });
      return true;
    } finally {
      await lock.unlock();
    }
  }

  /** One pass: finish stranded completions, then remove expired and orphaned uploads. */
  async sweep(): Promise<{ completed: number; removed: number }> {
    let completed = 0;
    let removed = 0;
    for (const videoId of await this.repo.listStrandedCompletions(SWEEP_BATCH)) {
      try {
        if (await this.recoverIfStranded(videoId)) completed += 1;
      } catch (error) {
        this.logger.warn({ err: error, videoId }, 'could not finish an interrupted upload; will retry');
      }
    }
    for (const videoId of await this.repo.listAbandoned(this.config.UPLOAD_EXPIRY_SECONDS, SWEEP_BATCH)) {
      try {
        if (await this.removeAbandoned(videoId)) removed += 1;
      } catch (error) {
        this.logger.warn({ err: error, videoId }, 'could not remove an abandoned upload; will retry');
      }
    }
    if (completed || removed) this.logger.info({ completed, removed }, 'upload sweep');
    this.swept.inc({ outcome: 'completed' }, completed);
    this.swept.inc({ outcome: 'removed' }, removed);
    return { completed, removed };
  }

  /** Sweeps every `UPLOAD_SWEEP_INTERVAL` seconds until the returned stop is called. */
  startSweeping(): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = running.then(() => this.sweep()).catch((error: unknown) => this.logger.warn({ err: error }, 'upload sweep failed'));
    }, this.config.UPLOAD_SWEEP_INTERVAL * 1000);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}
