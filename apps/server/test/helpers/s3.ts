import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import crypto, { randomBytes, type BinaryLike, type CipherKey } from 'node:crypto';
import path from 'node:path';
import type { TransformOptions } from 'node:stream';
import S3rver from 's3rver';
import type { S3Settings } from '../../src/infra/storage/s3-storage.ts';

export const BUCKET = 'tube-test';

export /**
 * s3rver encrypts ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 only has in its legacy
 * provider, so listing more than 1000 keys fails with InternalError. Triple DES with the key repeated three
 * times is the same cipher; route s3rver's 'des' through it while this file runs. Returns the undo.
 */
function letS3rverPaginateOnOpenSsl3(): () => void {
  const { createCipheriv, createDecipheriv } = crypto;
  const tripled = (algorithm: string, key: CipherKey): [string, CipherKey] =>
    algorithm === 'des' && Buffer.isBuffer(key) ? ['des-ede3-cbc', Buffer.concat([key, key, key])] : [algorithm, key];
  Object.assign(crypto, {
    createCipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, options?: TransformOptions) =>
      createCipheriv(...tripled(algorithm, key), iv, options),
    createDecipheriv: (algorithm: string, key: CipherKey, iv: BinaryLike | null, options?: TransformOptions) =>
      createDecipheriv(...tripled(algorithm, key), iv, options),
  });
  return () => Object.assign(crypto, { createCipheriv, createDecipheriv });
}

export interface S3Server {
  settings: S3Settings;
  /** s3rver's directory of multipart uploads in progress. */
  uploadsDir: string;
  stop(): Promise<void>;
}

/** A real S3-protocol server (s3rver) on a random loopback port, with the test bucket created. */
export async function startS3Server(scratchDir: string): Promise<S3Server> {
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: path.join(scratchDir, `s3rver-${randomBytes(3).toString('hex')}`),
    configureBuckets: [{ name: BUCKET }],
  });
  // s3rver deletes the keys of one DeleteObjects request in parallel, each then removing its directory when it
  // looks empty; those removals race and fail with InternalError. Real S3 has no directories, so serialize them.
  const deleteOne = server.store.deleteObject.bind(server.store);
  let previousDelete: Promise<void> = Promise.resolve();
  server.store.deleteObject = (bucket, key) => {
    const thisDelete = previousDelete.then(() => deleteOne(bucket, key));
    previousDelete = thisDelete.catch(() => {});
    return thisDelete;
  };
  letS3rverAbortMultipartUploads(server);
  const { port } = await server.run();
  return {
    settings: {
      bucket: BUCKET,
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    uploadsDir: server.store.getResourcePath(BUCKET, undefined, 'uploads'),
    stop: () => server.close(),
  };
}

/**
 * s3rver has no AbortMultipartUpload (DELETE /bucket/key?uploadId=…): it answers 405. Answer it as S3 does,
 * removing the upload's parts (204), or NoSuchUpload (404) for an unknown id.
 */
function letS3rverAbortMultipartUploads(server: S3rver): void {
  server.middleware.unshift(async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string' || !/^[0-9a-f]+$/.test(uploadId)) return next();
    const bucket = ctx.path.split('/')[1] ?? '';
    const uploadDir = path.join(server.store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    if (!existsSync(uploadDir)) {
      ctx.status = 404;
      ctx.set('content-type', 'application/xml');
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
      return;
    }
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
  });
}

/** Where s3rver keeps the parts of a multipart upload in progress (gone once completed or aborted). */
export function s3rverUploadDir(server: S3Server, uploadId: string): string {
  return path.join(server.uploadsDir, uploadId);
}

/** Environment that points a test app's storage at an s3rver instance. */
export function s3StorageEnv(server: S3Server): Record<string, string> {
  return {
    STORAGE_DRIVER: 's3',
    S3_BUCKET: server.settings.bucket,
    S3_ENDPOINT: server.settings.endpoint!,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: server.settings.accessKeyId!,
    S3_SECRET_ACCESS_KEY: server.settings.secretAccessKey!,
  };
}
