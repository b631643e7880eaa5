import type { Readable } from 'node:stream';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import type { VideoRepository } from '../videos/video.repository.ts';
import { uploadKeyFor } from '../videos/video.service.ts';
import type { UploadBytes, UploadProgress } from './upload-bytes.ts';
import type { UploadRepository } from './upload.repository.ts';
import { videoIdOfUpload } from './tus-errors.ts';

/**
 * A tus data store whose state lives in PostgreSQL, so any API node can resume any upload: the offset, the
 * declared length, the metadata and (for S3) the multipart parts are rows, the bytes are on the shared media
 * directory or in the bucket. Nothing is kept on an API node's own disk.
 */
export class SharedUploadStore extends DataStore {
  constructor(
    private readonly repo: UploadRepository,
    private readonly bytes: UploadBytes,
    private readonly videos: VideoRepository,
    private readonly expirySeconds: number,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const videoId = videoIdOfUpload(upload.id);
    const previous = await this.repo.find(videoId);
    const s3UploadId = await this.bytes.start(upload.id, previous, upload.metadata?.filetype ?? 'application/octet-stream');
    await this.repo.reset(videoId, { size: upload.size ?? null, metadata: upload.metadata ?? {}, s3UploadId });
    upload.creation_date = new Date().toISOString();
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const videoId = videoIdOfUpload(id);
    const record = await this.repo.find(videoId);
    if (record) {
      return new Upload({
        id,
        size: record.size ?? undefined,
        offset: record.receivedBytes,
        metadata: record.metadata,
        creation_date: record.createdAt.toISOString(),
      });
    }
    // Finished and handed to the pipeline: the upload's state went with that commit; the video remembers its size.
    const video = await this.videos.findById(videoId);
    if (video?.source_key === id && video.source_bytes !== null) {
      return new Upload({
        id,
        size: video.source_bytes,
        offset: video.source_bytes,
        metadata: video.source_filename ? { filename: video.source_filename } : {},
      });
    }
    throw ERRORS.FILE_NOT_FOUND;
  }

  override async write(body: Readable, id: string, offset: number): Promise<number> {
    const videoId = videoIdOfUpload(id);
    const record = await this.repo.find(videoId);
    if (!record) throw ERRORS.FILE_NOT_FOUND;
    if (record.receivedBytes !== offset) throw ERRORS.INVALID_OFFSET;
    const save = (progress: UploadProgress) => this.repo.saveProgress(videoId, progress);
    const { progress, failure } = await this.bytes.append(id, record, body, save);
    await save(progress);
    if (failure) throw failure;
    if (record.size !== null && progress.receivedBytes === record.size) await this.assemble(videoId);
    return progress.receivedBytes;
  }

  /** Turns the received bytes into the finished object at the upload's key (idempotent). Call under the lock. */
  async assemble(videoId: string): Promise<void> {
    const record = await this.repo.find(videoId);
    if (!record || record.size === null || record.receivedBytes !== record.size || record.assembled) return;
    await this.bytes.assemble(uploadKeyFor(videoId), record, (progress) => this.repo.saveProgress(videoId, progress));
    await this.repo.markAssembled(videoId);
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    await this.repo.declareSize(videoIdOfUpload(id), length);
  }

  override async remove(id: string): Promise<void> {
    const videoId = videoIdOfUpload(id);
    const record = await this.repo.find(videoId);
    if (!record) throw ERRORS.FILE_NOT_FOUND;
    await this.bytes.discard(id, record);
    await this.repo.delete(videoId);
  }

  override getExpiration(): number {
    return this.expirySeconds * 1000;
  }
}
