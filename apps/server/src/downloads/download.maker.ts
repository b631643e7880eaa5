import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { buildDownloadRemuxArgs, parseMediaPlaylist, pickDownloadStreams, type MediaPlaylistFiles } from '@tube/ladder';
import type { Logger } from 'pino';
import { runProcess, type FfmpegBinaries } from '../infra/ffmpeg/ffmpeg.ts';
import { removeStaleScratch } from '../infra/scratch.ts';
import type { DownloadRepository } from './download.repository.ts';
import { downloadFileKey, STALE_PENDING_AFTER_SECONDS, type DownloadJobData } from './download.service.ts';
import type { Config } from '../config.ts';
import type { Storage } from '../infra/storage/storage.ts';

const HLS_MASTER = 'master.m3u8';
/** The copying of segments is most of the work; the remux (no decoding) is the rest. */
const COPY_SHARE = 0.9;

/** `<videoId>-<8 hex>`: one make() attempt's scratch directory under `<DATA_DIR>/work/downloads`. */
const SCRATCH_NAME = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-[0-9a-f]{8}$/;

/** The video was deleted, re-transcoded or its download asked again while this job ran: its work is not wanted. */
class StaleDownloadError extends Error {}

/**
 * Makes the download MP4 of one media prefix: the best rung's and the audio's CMAF fragments, each concatenated
 * (init segment first) into one fragmented MP4 in scratch, remuxed by ffmpeg into a progressive MP4 (stream
 * copy, moov first) and stored beside the media. Reads and writes only through the storage driver, so it works
 * the same on a local directory and on S3, for videos of either transcoding pipeline.
 */
export class DownloadMaker {
  private readonly logger: Logger;
  private readonly active = new Set<AbortController>();
  private readonly activeDirs = new Set<string>();

  constructor(
    private readonly repo: DownloadRepository,
    private readonly storage: Storage,
    logger: Logger,
    private readonly config: Pick<Config, 'dataDir'>,
    private readonly binaries: FfmpegBinaries,
  ) {
    this.logger = logger.child({ component: 'download' });
  }

  async make({ videoId, mediaPrefix }: DownloadJobData): Promise<void> {
    const video = await this.repo.video(videoId);
    const row = await this.repo.find(videoId);
    if (video?.media_prefix !== mediaPrefix || video.status !== 'ready' || row?.media_prefix !== mediaPrefix || row.status !== 'pending') return;
    await this.removeStaleScratch();
    const name = `${videoId}-${randomBytes(4).toString('hex')}`;
    const dir = path.join(this.scratchRoot, name);
    const abort = new AbortController();
    this.active.add(abort);
    this.activeDirs.add(name);
    try {
      await mkdir(dir, { recursive: true });
      const streams = pickDownloadStreams(await this.readText(`${mediaPrefix}/${HLS_MASTER}`));
      const videoFiles = parseMediaPlaylist(await this.readText(`${mediaPrefix}/${streams.video}`));
      const audioFiles = streams.audio ? parseMediaPlaylist(await this.readText(`${mediaPrefix}/${streams.audio}`)) : null;
      const total = 1 + videoFiles.segments.length + (audioFiles ? 1 + audioFiles.segments.length : 0);
      let copied = 0;
      let reported = 0;
      const onCopied = async () => {
        copied++;
        const progress = (COPY_SHARE * copied) / total;
        // About twenty updates per download, each also the job's heartbeat.
        if (progress - reported < 0.05 && copied < total) return;
        reported = progress;
        if (!(await this.repo.setProgress(videoId, mediaPrefix, progress))) throw new StaleDownloadError();
      };
      const videoPath = path.join(dir, 'video.mp4');
      const audioPath = audioFiles ? path.join(dir, 'audio.mp4') : null;
      await this.concatenate(mediaPrefix, videoFiles, videoPath, onCopied, abort.signal);
      if (audioFiles && audioPath) await this.concatenate(mediaPrefix, audioFiles, audioPath, onCopied, abort.signal);
      const output = path.join(dir, 'download.mp4');
      await runProcess(this.binaries.ffmpeg, buildDownloadRemuxArgs({ video: videoPath, audio: audioPath, output }), { signal: abort.signal });
      const { size } = await stat(output);
      const key = downloadFileKey(mediaPrefix);
      await this.storage.putFile(key, output, 'video/mp4');
      // Deleted or re-transcoded while the file went up: the prefix is gone (or going), so is this file.
      const current = await this.repo.video(videoId);
      if (current?.media_prefix !== mediaPrefix || !(await this.repo.markReady(videoId, mediaPrefix, key, size))) {
        await this.storage.delete(key).catch(() => undefined);
        return;
      }
      this.logger.info({ videoId, bytes: size, height: streams.height }, 'download file ready');
    } catch (error) {
      if (error instanceof StaleDownloadError) return;
      this.logger.warn({ err: error, videoId }, 'download file could not be made');
      await this.repo.markFailed(videoId, mediaPrefix, error instanceof Error ? error.message.slice(0, 500) : String(error));
      throw error;
    } finally {
      this.active.delete(abort);
      await rm(dir, { recursive: true, force: true });
      this.activeDirs.delete(name);
    }
  }

  /** Stops the remuxes running in this process (worker shutdown); their rows stay pending and are queued again later. */
  async shutdown(): Promise<void> {
    for (const abort of this.active) abort.abort(new StaleDownloadError('worker shutting down'));
  }

  private get scratchRoot(): string {
    return path.join(this.config.dataDir, 'work', 'downloads');
  }

  /**
   * Scratch left by a killed worker: directories neither running here nor belonging to a download some process
   * still reports on (another worker sharing this DATA_DIR). Best effort, before each download.
   */
  private async removeStaleScratch(): Promise<void> {
    await removeStaleScratch(this.scratchRoot, SCRATCH_NAME, async (names) => {
      const ids = [...new Set(names.map((name) => SCRATCH_NAME.exec(name)![1]!))];
      const reporting = await this.repo.recentlyPending(ids, STALE_PENDING_AFTER_SECONDS);
      return new Set(names.filter((name) => this.activeDirs.has(name) || reporting.has(SCRATCH_NAME.exec(name)![1]!)));
    }).catch((error: unknown) => this.logger.warn({ err: error }, 'download scratch clean-up failed'));
  }

  private async readText(key: string): Promise<string> {
    const object = await this.storage.read(key);
    if (!object) throw new Error(`missing media file ${key}`);
    return Buffer.concat(await object.body.toArray()).toString('utf8');
  }

  private async concatenate(prefix: string, files: MediaPlaylistFiles, target: string, onCopied: () => Promise<void>, signal: AbortSignal): Promise<void> {
    for (const name of [files.init, ...files.segments]) {
      if (signal.aborted) throw signal.reason;
      const object = await this.storage.read(`${prefix}/${name}`);
      if (!object) throw new Error(`missing media file ${prefix}/${name}`);
      await pipeline(object.body, createWriteStream(target, { flags: 'a' }));
      await onCopied();
    }
  }
}
