import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildPosterArgs,
  buildStoryboardArgs,
  buildTranscodeArgs,
  checkSourceLimits,
  DASH_MANIFEST,
  HLS_MASTER,
  InvalidSourceError,
  parseProbe,
  parseProgress,
  planLadder,
  planStoryboard,
  posterTimeSeconds,
  probeArgs,
  rewriteHlsMaster,
  storyboardVtt,
  type SourceInfo,
} from '@tube/ladder';
import type { Logger } from 'pino';
import type { Infra } from '../infra/infra.ts';
import { ProcessFailedError, runProcess, type FfmpegBinaries } from '../infra/ffmpeg/ffmpeg.ts';
import type { StoredRendition } from '../infra/db/schema.ts';
import { mediaPrefixFor } from '../playback/media-urls.ts';
import { mediaContentType } from '../playback/media-types.ts';
import { MEDIA_FILES } from '../videos/video.dto.ts';
import { VideoRepository } from '../videos/video.repository.ts';
import { videoCacheKeys } from '../videos/video.service.ts';
import { VideoEventNotifier } from '../notifications/video-events.ts';
import { parseHlsMaster } from './hls-master.ts';
import { enqueueTranscode } from './transcode.queue.ts';

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

/** Why ffprobe could not read a file, in words for the uploader. */
export function describeUnreadableSource(error: unknown): string {
  const detail = error instanceof ProcessFailedError ? error.stderrTail : String(error);
  if (/moov atom not found/i.test(detail)) return 'The file is incomplete or damaged (its index is missing); upload it again';
  if (/Invalid data found/i.test(detail)) return 'This file is not a video Tube can read';
  if (/does not contain any stream|Output file #0 does not contain/i.test(detail)) return 'The file has no video stream';
  return 'This file could not be read as a video';
}

export class TranscodeService {
  private readonly repo: VideoRepository;
  private readonly notifier: VideoEventNotifier;
  private readonly logger: Logger;
  /** Transcodes running in this process, so shutdown can hand them back. */
  private readonly active = new Set<AbortController>();

  constructor(
    private readonly infra: Infra,
    private readonly binaries: FfmpegBinaries,
  ) {
    this.repo = new VideoRepository(infra.db);
    this.notifier = new VideoEventNotifier(infra);
    this.logger = infra.logger.child({ component: 'transcode' });
  }

  /** Handles one transcode job. Resolves when the job is finished (ready, failed for good, or not ours to do). */
  async process(videoId: string, attempt: AttemptInfo): Promise<void> {
    const { config } = this.infra;
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
    try {
      await mkdir(path.join(workDir, 'out'), { recursive: true });
      const sourcePath = path.join(workDir, 'source');
      await this.infra.storage.download(claimed.source_key, sourcePath);
      const info = await this.probe(sourcePath);
      log.info({ width: info.width, height: info.height, duration: info.durationSeconds, fps: info.fps, audio: info.hasAudio }, 'probed source');

      const rungs = planLadder(info, { maxHeight: config.TRANSCODE_MAX_HEIGHT });
      const outDir = path.join(workDir, 'out');
      await runProcess(
        this.binaries.ffmpeg,
        buildTranscodeArgs({ input: sourcePath, outputDir: outDir, info, rungs, segmentSeconds: config.SEGMENT_SECONDS, preset: config.X264_PRESET }),
        {
          signal: abort.signal,
          onStdout: (chunk) => {
            const fraction = parseProgress(chunk, info.durationSeconds);
            if (fraction === null) return;
            // The ladder is ~95% of the work; posters and the storyboard follow.
            progress = Math.min(0.95, fraction * 0.95);
            const elapsed = (Date.now() - startedAt) / 1000;
            etaSeconds = progress > 0.02 ? Math.round((elapsed / progress) * (1 - progress)) : null;
          },
        },
      );
      const masterPath = path.join(outDir, HLS_MASTER);
      await writeFile(masterPath, rewriteHlsMaster(await readFile(masterPath, 'utf8'), rungs, info));

      await runProcess(
        this.binaries.ffmpeg,
        buildPosterArgs({ input: sourcePath, output: path.join(outDir, MEDIA_FILES.poster), atSeconds: posterTimeSeconds(info.durationSeconds), width: Math.min(POSTER_WIDTH, info.width), videoStreamIndex: info.videoStreamIndex }),
        { signal: abort.signal },
      );
      const storyboardOptions = { intervalSeconds: config.STORYBOARD_INTERVAL, ...STORYBOARD };
      const plan = planStoryboard(info, storyboardOptions);
      await runProcess(this.binaries.ffmpeg, buildStoryboardArgs({ input: sourcePath, output: path.join(outDir, MEDIA_FILES.storyboardSprite), info, ...storyboardOptions }), {
        signal: abort.signal,
      });
      await writeFile(path.join(outDir, MEDIA_FILES.storyboardVtt), storyboardVtt(plan, MEDIA_FILES.storyboardSprite));
      progress = 0.97;

      const renditions = this.renditionsFrom(await readFile(masterPath, 'utf8'), rungs.map((rung) => rung.name));
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
      await this.infra.cache.del(...videoCacheKeys(videoId));
      await this.notifier.videoReady(videoId);
      log.info({ seconds: (Date.now() - startedAt) / 1000, rungs: rungs.map((rung) => rung.name) }, 'video ready');
      await this.afterReady(videoId, claimed.media_prefix, claimed.source_key);
    } catch (error) {
      await this.infra.storage.deletePrefix(mediaPrefix).catch(() => undefined);
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      if (reason instanceof ShutdownError) {
        await this.infra.db.transaction().execute(async (trx) => {
          if (await this.repo.releaseForShutdown(trx, videoId, token)) await enqueueTranscode(this.infra.queue, trx, videoId);
        });
        log.info('worker shutting down: video handed back to the queue');
        return;
      }
      if (reason instanceof ClaimLostError) {
        log.warn('stopped: the video was deleted or taken over by another worker');
        return;
      }
      if (error instanceof InvalidSourceError) {
        log.info({ reason: error.reason }, 'source rejected');
        await this.repo.markFailed(videoId, token, error.reason);
        await this.notifier.videoFailed(videoId);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (attempt.retryCount >= attempt.retryLimit) {
        log.error({ err: error }, 'transcode failed for good');
        await this.repo.markFailed(videoId, token, `Processing failed: ${message}`);
        await this.notifier.videoFailed(videoId);
        return;
      }
      log.warn({ err: error }, 'transcode failed; will retry');
      await this.repo.releaseForRetry(videoId, token, `Processing failed, retrying: ${message}`);
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

  private async probe(sourcePath: string): Promise<SourceInfo> {
    const { size } = await stat(sourcePath);
    if (size === 0) throw new InvalidSourceError('The file is empty');
    let output: string;
    try {
      output = await runProcess(this.binaries.ffprobe, probeArgs(sourcePath));
    } catch (error) {
      if (error instanceof ProcessFailedError) throw new InvalidSourceError(describeUnreadableSource(error));
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(output);
    } catch {
      throw new InvalidSourceError('This file could not be read as a video');
    }
    const info = parseProbe(json);
    const { config } = this.infra;
    checkSourceLimits(info, { maxWidth: config.SOURCE_MAX_WIDTH, maxHeight: config.SOURCE_MAX_HEIGHT, maxDurationSeconds: config.SOURCE_MAX_DURATION });
    return info;
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
        await this.infra.storage.putFile(`${prefix}/${name}`, path.join(outDir, name), mediaContentType(name));
      }
    };
    const manifests = queue.splice(queue.length - files.filter(isManifest).length);
    await Promise.all(Array.from({ length: 8 }, uploadNext));
    queue.push(...manifests);
    await uploadNext();
    if (!ordered.includes(HLS_MASTER) || !ordered.includes(DASH_MANIFEST)) throw new Error('ffmpeg did not write both manifests');
  }

  private async afterReady(videoId: string, previousPrefix: string | null, sourceKey: string): Promise<void> {
    const { storage, config } = this.infra;
    if (previousPrefix) await storage.deletePrefix(previousPrefix).catch(() => undefined);
    await storage.delete(`${sourceKey}.json`).catch(() => undefined);
    if (!config.KEEP_SOURCE) await storage.delete(sourceKey).catch(() => undefined);
    this.logger.debug({ videoId }, 'cleaned up after publishing');
  }
}
