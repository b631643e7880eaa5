import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildPosterArgs,
  buildStoryboardArgs,
  buildTranscodeArgs,
  checkTranscodedLength,
  lastProgressValue,
  DASH_MANIFEST,
  HLS_MASTER,
  InvalidSourceError,
  parseProgress,
  planLadder,
  planStoryboard,
  posterTimeSeconds,
  rewriteHlsMaster,
  storyboardVtt,
  type SourceInfo,
} from '@tube/ladder';
import type { Logger } from 'pino';
import { runProcess, type FfmpegBinaries } from '../infra/ffmpeg/ffmpeg.ts';
import { describeFailure } from '../infra/failure-reasons.ts';
import type { StoredRendition } from '../infra/db/schema.ts';
import { mediaPrefixFor } from '../playback/media-urls.ts';
import { mediaContentType } from '../playback/media-types.ts';
import { MEDIA_FILES } from '../videos/video.dto.ts';
import type { VideoRepository } from '../videos/video.repository.ts';
import { videoCacheKeys } from '../videos/video.service.ts';
import type { VideoEvents } from '../videos/video-events.ts';
import { parseHlsMaster } from './hls-master.ts';
import { probeSource } from './source-probe.ts';
import { enqueueTranscode, RESUMED_PRIORITY } from '../videos/video.jobs.ts';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';
import type { Db } from '../infra/db/database.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { Storage } from '../infra/storage/storage.ts';

const STORYBOARD = { columns: 10, rows: 10, tileWidth: 160 } as const;
const POSTER_WIDTH = 1280;

export interface AttemptInfo {
  retryCount: number;
  retryLimit: number;
}

/** The claim was lost mid-work (video deleted, or another worker took over after a stalled heartbeat). */
class ClaimLostError extends Error {}

/** The worker is shutting down: the video goes straight back to the queue for another worker. */
class ShutdownError extends Error {}

type TranscodeConfig = Pick<
  Config,
  | 'JOB_LEASE_SECONDS'
  | 'JOB_RETRY_LIMIT'
  | 'KEEP_SOURCE'
  | 'SEGMENT_SECONDS'
  | 'SOURCE_MAX_DURATION'
  | 'SOURCE_MAX_HEIGHT'
  | 'SOURCE_MAX_WIDTH'
  | 'STORYBOARD_INTERVAL'
  | 'TRANSCODE_MAX_HEIGHT'
  | 'X264_PRESET'
  | 'dataDir'
>;

export class TranscodeService {
  private readonly logger: Logger;
  /** Transcodes running in this process, so shutdown can hand them back. */
  private readonly active = new Set<AbortController>();

  constructor(
    private readonly repo: VideoRepository,
    private readonly notifier: VideoEvents,
    private readonly binaries: FfmpegBinaries,
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly queue: PgBoss,
    private readonly storage: Storage,
    private readonly metrics: Pick<Metrics, 'jobsRequeued'>,
    logger: Logger,
    private readonly config: TranscodeConfig,
  ) {
    this.logger = logger.child({ component: 'transcode' });
  }

  /** Handles one transcode job. Resolves when the job is finished (ready, failed for good, or not ours to do). */
  async process(videoId: string, attempt: AttemptInfo): Promise<void> {
    const { config } = this;
    const token = randomUUID();
    const claimed = await this.repo.claim(videoId, token, config.JOB_LEASE_SECONDS);
    if (!claimed) {
      this.logger.info({ videoId }, 'video not claimable (deleted, done, or being processed elsewhere); skipping');
      return;
    }
    const log = this.logger.child({ videoId, attempt: claimed.attempts });
    if (claimed.attempts > config.JOB_RETRY_LIMIT + 1) {
      await this.repo.markFailed(videoId, token, `Processing was interrupted ${claimed.attempts - 1} times; the file may be too demanding to process`);
      await this.notifier.videoFailed(videoId);
      return;
    }
    if (!claimed.source_key) {
      await this.repo.markFailed(videoId, token, 'The upload is missing; upload the file again');
      await this.notifier.videoFailed(videoId);
      return;
    }

    const workDir = path.join(config.dataDir, 'work', `${videoId}-${token.slice(0, 8)}`);
    const abort = new AbortController();
    this.active.add(abort);
    let progress = 0;
    let etaSeconds: number | null = null;
    const startedAt = Date.now();
    const heartbeat = setInterval(
      () => {
        this.repo.heartbeat(videoId, token, progress, etaSeconds).then(
          (stillOurs) => {
            if (!stillOurs) abort.abort(new ClaimLostError('claim lost'));
          },
          (error: unknown) => log.warn({ err: error }, 'heartbeat failed'),
        );
      },
      Math.max(1000, Math.min(5000, (config.JOB_LEASE_SECONDS * 1000) / 4)),
    );
    const mediaPrefix = mediaPrefixFor(videoId, token.slice(0, 8));
    let published = false;
    try {
      await mkdir(path.join(workDir, 'out'), { recursive: true });
      const sourcePath = path.join(workDir, 'source');
      await this.storage.download(claimed.source_key, sourcePath);
      const info = await this.probe(sourcePath);
      log.info({ width: info.width, height: info.height, duration: info.durationSeconds, fps: info.fps, audio: info.hasAudio }, 'probed source');

      const rungs = planLadder(info, { maxHeight: config.TRANSCODE_MAX_HEIGHT });
      const outDir = path.join(workDir, 'out');
      let framesEncoded: number | null = null;
      await runProcess(
        this.binaries.ffmpeg,
        buildTranscodeArgs({ input: sourcePath, outputDir: outDir, info, rungs, segmentSeconds: config.SEGMENT_SECONDS, preset: config.X264_PRESET }),
        {
          signal: abort.signal,
          onStdout: (chunk) => {
            const frames = Number(lastProgressValue(chunk, 'frame') ?? Number.NaN);
            if (Number.isFinite(frames)) framesEncoded = frames;
            const outSeconds = Number(lastProgressValue(chunk, 'out_time_us') ?? Number.NaN) / 1e6;
            // A backstop to the input bound: output running well past the declared duration is a lying file.
            if (outSeconds > info.durationSeconds * 1.1 + 5) {
              abort.abort(
                new InvalidSourceError("The file's timing does not match the length it declares; it may be damaged. Export it again and upload the new file"),
              );
            }
            const fraction = parseProgress(chunk, info.durationSeconds);
            if (fraction === null) return;
            // The ladder is ~95% of the work; posters and the storyboard follow.
            progress = Math.min(0.95, fraction * 0.95);
            const elapsed = (Date.now() - startedAt) / 1000;
            etaSeconds = progress > 0.02 ? Math.round((elapsed / progress) * (1 - progress)) : null;
          },
        },
      );
      checkTranscodedLength({ frames: framesEncoded, durationSeconds: info.durationSeconds, frameRate: rungs[0]!.frameRate });
      const masterPath = path.join(outDir, HLS_MASTER);
      await writeFile(masterPath, rewriteHlsMaster(await readFile(masterPath, 'utf8'), rungs, info));

      await runProcess(
        this.binaries.ffmpeg,
        buildPosterArgs({
          input: sourcePath,
          output: path.join(outDir, MEDIA_FILES.poster),
          atSeconds: posterTimeSeconds(info.durationSeconds),
          width: Math.min(POSTER_WIDTH, info.width),
          videoStreamIndex: info.videoStreamIndex,
        }),
        { signal: abort.signal },
      );
      const storyboardOptions = { intervalSeconds: config.STORYBOARD_INTERVAL, ...STORYBOARD };
      const plan = planStoryboard(info, storyboardOptions);
      await runProcess(
        this.binaries.ffmpeg,
        buildStoryboardArgs({ input: sourcePath, output: path.join(outDir, MEDIA_FILES.storyboardSprite), info, ...storyboardOptions }),
        {
          signal: abort.signal,
        },
      );
      await writeFile(path.join(outDir, MEDIA_FILES.storyboardVtt), storyboardVtt(plan, MEDIA_FILES.storyboardSprite));
      progress = 0.97;

      const renditions = this.renditionsFrom(
        await readFile(masterPath, 'utf8'),
        rungs.map((rung) => rung.name),
      );
      await this.publishFiles(outDir, mediaPrefix, abort.signal);
      if (abort.signal.aborted) throw abort.signal.reason;
      const ready = await this.repo.markReady(videoId, token, {
        mediaPrefix,
        durationSeconds: info.durationSeconds,
        width: info.width,
        height: info.height,
        renditions,
        hasStoryboard: true,
      });
      if (!ready) throw new ClaimLostError('claim lost before publishing');
      // From here on the video is ready and its files are live: nothing below may fail the job or delete them.
      published = true;
      log.info({ seconds: (Date.now() - startedAt) / 1000, rungs: rungs.map((rung) => rung.name) }, 'video ready');
      await this.afterReady(videoId, claimed.media_prefix, claimed.source_key, log);
    } catch (error) {
      if (published) {
        log.error({ err: error }, 'error after the video was published; its media is kept');
        return;
      }
      await this.storage.deletePrefix(mediaPrefix).catch(() => undefined);
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      if (reason instanceof ShutdownError) {
        await this.db.transaction().execute(async (trx) => {
          if (await this.repo.releaseForShutdown(trx, videoId, token)) await enqueueTranscode(this.queue, trx, videoId, { priority: RESUMED_PRIORITY });
        });
        log.info('worker shutting down: video handed back to the queue');
        return;
      }
      if (reason instanceof ClaimLostError) {
        log.warn('stopped: the video was deleted or taken over by another worker');
        return;
      }
      if (reason instanceof InvalidSourceError) {
        log.info({ reason: reason.reason }, 'source rejected');
        await this.repo.markFailed(videoId, token, reason.reason);
        await this.notifier.videoFailed(videoId);
        return;
      }
      // The uploader reads a sentence; the detail (paths, stderr) stays in the log.
      const failure = describeFailure(error);
      if (attempt.retryCount >= attempt.retryLimit) {
        log.error({ err: error, kind: failure.kind }, 'transcode failed for good');
        await this.repo.markFailed(videoId, token, failure.reason);
        await this.notifier.videoFailed(videoId);
        return;
      }
      log.warn({ err: error, kind: failure.kind }, 'transcode failed; will retry');
      await this.repo.releaseForRetry(videoId, token, `${failure.reason} (retrying)`);
      this.metrics.jobsRequeued.inc({ reason: 'retry' });
      throw error;
    } finally {
      this.active.delete(abort);
      clearInterval(heartbeat);
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /**
   * Stops every transcode in progress and hands its video back to the queue at once, instead of leaving it
   * for the reaper to find after JOB_LEASE_SECONDS. Resolves when the handlers have returned.
   */
  async shutdown(timeoutMs = 20_000): Promise<void> {
    for (const controller of this.active) controller.abort(new ShutdownError('shutting down'));
    const deadline = Date.now() + timeoutMs;
    while (this.active.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private probe(sourcePath: string): Promise<SourceInfo> {
    const { config } = this;
    return probeSource((args) => runProcess(this.binaries.ffprobe, args), sourcePath, {
      maxWidth: config.SOURCE_MAX_WIDTH,
      maxHeight: config.SOURCE_MAX_HEIGHT,
      maxDurationSeconds: config.SOURCE_MAX_DURATION,
    });
  }

  private renditionsFrom(master: string, names: string[]): StoredRendition[] {
    return parseHlsMaster(master).map((variant, index) => ({
      name: names[index] ?? `${Math.min(variant.width, variant.height)}p`,
      width: variant.width,
      height: variant.height,
      bandwidth: variant.bandwidth,
      codecs: variant.codecs,
      frameRate: variant.frameRate,
    }));
  }

  /** Copies every output file into storage; manifests go last, so a listing never shows them without their segments. */
  private async publishFiles(outDir: string, prefix: string, signal: AbortSignal): Promise<void> {
    const files = (await readdir(outDir)).filter((name) => !name.endsWith('.tmp'));
    const isManifest = (name: string) => name.endsWith('.m3u8') || name.endsWith('.mpd');
    const ordered = [...files.filter((name) => !isManifest(name)), ...files.filter(isManifest)];
    const queue = [...ordered];
    const uploadNext = async (): Promise<void> => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        if (signal.aborted) return;
        await this.storage.putFile(`${prefix}/${name}`, path.join(outDir, name), mediaContentType(name));
      }
    };
    const manifests = queue.splice(queue.length - files.filter(isManifest).length);
    await Promise.all(Array.from({ length: 8 }, uploadNext));
    queue.push(...manifests);
    await uploadNext();
    if (!ordered.includes(HLS_MASTER) || !ordered.includes(DASH_MANIFEST)) throw new Error('ffmpeg did not write both manifests');
  }

  /** Best-effort work once the video is ready; never throws (the cache retries failed invalidations itself). */
  private async afterReady(videoId: string, previousPrefix: string | null, sourceKey: string, log: Logger): Promise<void> {
    const { storage, config } = this;
    await this.cache.del(...videoCacheKeys(videoId)).catch((error: unknown) => log.warn({ err: error }, 'could not invalidate the cached video'));
    await this.notifier.videoReady(videoId);
    if (previousPrefix) await storage.deletePrefix(previousPrefix).catch(() => undefined);
    await storage.delete(`${sourceKey}.json`).catch(() => undefined);
    if (!config.KEEP_SOURCE) await storage.delete(sourceKey).catch(() => undefined);
    this.logger.debug({ videoId }, 'cleaned up after publishing');
  }
}
