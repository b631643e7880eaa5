import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { StoredUploadPart } from '../infra/db/schema.ts';
import type { S3Storage } from '../infra/storage/s3-storage.ts';
import { uploadPartCopiesPrefix, uploadPartCopyKey } from '../videos/video.service.ts';
import type { UploadRecord } from './upload.repository.ts';

/** What a write left behind: the bytes now held, and for S3 the parts and the buffered partial part. */
export interface UploadProgress {
  receivedBytes: number;
  parts: StoredUploadPart[];
  tail: Buffer | null;
}

export interface AppendResult {
  progress: UploadProgress;
  failure?: unknown;
}

/**
 * Where the bytes of an upload in progress live, for every API node alike. The state (offset, parts) is kept by
 * the caller in PostgreSQL; `save` is called whenever durable progress was made, so a node killed mid-request
 * loses at most the bytes since the last save, and the client resumes from the saved offset.
 */
export interface UploadBytes {
  /** Prepares an empty upload; returns the S3 multipart upload id when there is one. */
  start(key: string, previous: UploadRecord | undefined, contentType: string): Promise<string | null>;
  /** Appends the body; when it fails part-way, `failure` says why and `progress` still counts what was kept. */
  append(key: string, upload: UploadRecord, body: Readable, save: (progress: UploadProgress) => Promise<void>): Promise<AppendResult>;
  /** Makes the complete upload the object at `key`. Idempotent: a repeat after success is a no-op. */
  assemble(key: string, upload: UploadRecord, save: (progress: UploadProgress) => Promise<void>): Promise<void>;
  discard(key: string, upload: UploadRecord): Promise<void>;
}

/** Bytes are appended in place on the (shared) media directory, so the finished upload already is the source. */
export class FsUploadBytes implements UploadBytes {
  constructor(private readonly mediaDir: string) {}

  private fileOf(key: string): string {
    return path.join(this.mediaDir, ...key.split('/'));
  }

  async start(key: string): Promise<string | null> {
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await (await open(file, 'w')).close();
    return null;
  }

  async append(key: string, upload: UploadRecord, body: Readable): Promise<AppendResult> {
    const file = this.fileOf(key);
    // A node killed mid-write may have left bytes past the saved offset; they were never acknowledged.
    const handle = await open(file, 'r+').catch(() => open(file, 'w'));
    try {
      await handle.truncate(upload.receivedBytes);
    } finally {
      await handle.close();
    }
    let failure: unknown;
    try {
      await pipeline(body, createWriteStream(file, { flags: 'r+', start: upload.receivedBytes }));
    } catch (error) {
      failure = error;
    }
    // Whatever reached the file counts, even when the client went away mid-request.
    return { progress: { receivedBytes: (await stat(file)).size, parts: [], tail: null }, failure };
  }

  async assemble(key: string, upload: UploadRecord): Promise<void> {
    const info = await stat(this.fileOf(key));
    if (upload.size !== null && info.size > upload.size) {
      const handle = await open(this.fileOf(key), 'r+');
      try {
        await handle.truncate(upload.size);
      } finally {
        await handle.close();
      }
    }
  }

  async discard(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/**
 * Bytes stream into an S3 multipart upload. S3 parts must be at least 5 MiB except the last, so the bytes of a
 * part not yet full are kept in PostgreSQL (`tail`) between requests; the part list is kept there too, so
 * resuming needs no ListParts call. With `readableCopies` (early start) each part is also written as an object
 * of its own, since workers cannot read the parts of an unfinished multipart upload; the copies go when the
 * video is ready, deleted or its upload discarded.
 */
export class S3UploadBytes implements UploadBytes {
  readonly partBytes: number;

  constructor(
    private readonly storage: S3Storage,
    maxUploadBytes: number,
    private readonly readableCopies = false,
  ) {
    this.partBytes = Math.max(MIN_PART_BYTES, Math.ceil(maxUploadBytes / MAX_PARTS));
  }

  private get bucket(): string {
    return this.storage.settings.bucket;
  }

  async start(key: string, previous: UploadRecord | undefined, contentType: string): Promise<string | null> {
    if (previous?.s3UploadId && !previous.assembled) await this.abort(key, previous.s3UploadId);
    if (previous && this.readableCopies) await this.storage.deletePrefix(uploadPartCopiesPrefix(key));
    const created = await this.storage.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }));
    if (!created.UploadId) throw new Error('S3 did not return a multipart upload id');
    return created.UploadId;
  }

  private async uploadPart(key: string, uploadId: string, number: number, bytes: Buffer, copy = this.readableCopies): Promise<StoredUploadPart> {
    const [sent] = await Promise.all([
      this.storage.client.send(
        new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: bytes, ContentLength: bytes.length }),
      ),
      copy ? this.storage.put(uploadPartCopyKey(key, number), bytes, 'application/octet-stream') : undefined,
    ]);
    if (!sent.ETag) throw new Error('S3 did not return an ETag for an uploaded part');
    return { number, etag: sent.ETag, size: bytes.length };
  }

  async append(key: string, upload: UploadRecord, body: Readable, save: (progress: UploadProgress) => Promise<void>): Promise<AppendResult> {
    const uploadId = upload.s3UploadId;
    if (!uploadId) throw new Error('upload has no S3 multipart upload');
    const parts = [...upload.parts];
    const partsBytes = () => parts.reduce((sum, part) => sum + part.size, 0);
    let pending: Buffer[] = upload.tail ? [upload.tail] : [];
    let pendingBytes = upload.tail?.length ?? 0;
    const progress = (): UploadProgress => {
      const tail = pendingBytes > 0 ? Buffer.concat(pending, pendingBytes) : null;
      return { receivedBytes: partsBytes() + pendingBytes, parts: [...parts], tail };
    };
    let failure: unknown;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        while (pendingBytes >= this.partBytes) {
          const joined = Buffer.concat(pending, pendingBytes);
          parts.push(await this.uploadPart(key, uploadId, parts.length + 1, joined.subarray(0, this.partBytes)));
          const rest = joined.subarray(this.partBytes);
          pending = rest.length > 0 ? [Buffer.from(rest)] : [];
          pendingBytes = rest.length;
          await save(progress());
        }
      }
    } catch (error) {
      failure = error;
    }
    return { progress: progress(), failure };
  }

  async assemble(key: string, upload: UploadRecord, save: (progress: UploadProgress) => Promise<void>): Promise<void> {
    if (upload.assembled) return;
    const parts = [...upload.parts];
    if (upload.tail?.length || parts.length === 0) {
      parts.push(await this.uploadPart(key, upload.s3UploadId!, parts.length + 1, upload.tail ?? Buffer.alloc(0), false));
      await save({ receivedBytes: upload.receivedBytes, parts, tail: null });
    }
    try {
      await this.storage.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: upload.s3UploadId!,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
        }),
      );
    } catch (error) {
      // Completed before (by a request or sweep that died before recording it): the object is already there.
      if (!(await this.objectHasSize(key, upload.size ?? -1))) throw error;
    }
  }

  private async objectHasSize(key: string, size: number): Promise<boolean> {
    try {
      const head = await this.storage.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength === size;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
      throw error;
    }
  }

  private async abort(key: string, uploadId: string): Promise<void> {
    try {
      await this.storage.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) throw error;
    }
  }

  async discard(key: string, upload: UploadRecord): Promise<void> {
    if (upload.s3UploadId && !upload.assembled) await this.abort(key, upload.s3UploadId);
    await this.storage.deletePrefix(uploadPartCopiesPrefix(key));
  }
}
