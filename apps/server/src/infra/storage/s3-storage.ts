import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertSafeKey, type ByteRange, type Storage, type StoredObject } from './storage.ts';

const MULTIPART_THRESHOLD = 64 * 1024 * 1024;
const MULTIPART_PART_SIZE = 16 * 1024 * 1024;

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    // S3-compatible servers often do not understand the SDK's default checksums: a streamed body is then sent
    // aws-chunked with a trailing checksum, and a server that ignores that encoding stores the framing as data.
    ...(settings.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');
}

export class S3Storage implements Storage {
  readonly driver = 's3' as const;
  readonly client: S3Client;

  constructor(readonly settings: S3Settings) {
    this.client = createS3Client(settings);
  }

  async put(key: string, body: Buffer | string | Readable, contentType?: string): Promise<void> {
    assertSafeKey(key);
    // PutObject needs a known length; segments and manifests are small, so streams are collected first.
    const bytes = typeof body === 'string' || Buffer.isBuffer(body) ? body : Buffer.concat(await body.toArray());
    await this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }

  async putFile(key: string, localPath: string, contentType?: string): Promise<void> {
    assertSafeKey(key);
    const { size } = await stat(localPath);
    if (size > MULTIPART_THRESHOLD) {
      // One PUT is limited to 5 GiB on S3; large uploads go up in parts, several at a time.
      await new Upload({
        client: this.client,
        params: { Bucket: this.settings.bucket, Key: key, Body: createReadStream(localPath), ContentType: contentType },
        partSize: MULTIPART_PART_SIZE,
        queueSize: 4,
      }).done();
      return;
    }
    await this.client.send(
      new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: createReadStream(localPath), ContentLength: size, ContentType: contentType }),
    );
  }

  async download(key: string, localPath: string): Promise<void> {
    const object = await this.read(key);
    if (!object) throw new Error(`storage object not found: ${key}`);
    await mkdir(path.dirname(localPath), { recursive: true });
    await pipeline(object.body, createWriteStream(localPath));
  }

  async stat(key: string): Promise<StoredObject | null> {
    assertSafeKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0), etag: head.ETag ?? `"${head.ContentLength ?? 0}"` };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<(StoredObject & { body: Readable }) | null> {
    assertSafeKey(key);
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const total = object.ContentRange ? Number(object.ContentRange.split('/')[1]) : (object.ContentLength ?? 0);
      return {
        size: total,
        lastModified: object.LastModified ?? new Date(0),
        etag: object.ETag ?? `"${total}"`,
        body: object.Body as Readable,
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    const normalized = `${prefix.replace(/\/+$/, '')}/`;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: normalized, ContinuationToken: token }));
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.settings.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    }
  }

  async presignedUrl(key: string, expiresInSeconds: number, options: { contentDisposition?: string } = {}): Promise<string> {
    assertSafeKey(key);
    const command = new GetObjectCommand({
      Bucket: this.settings.bucket,
      Key: key,
      ...(options.contentDisposition ? { ResponseContentDisposition: options.contentDisposition } : {}),
    });
    return getSignedUrl(this.client, command, { expiresIn: expiresInSeconds });
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
  }
}
