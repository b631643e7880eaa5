import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredObject {
  size: number;
  lastModified: Date;
  etag: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/**
 * Object storage as Tube uses it: whole objects written once under a key ("videos/<id>/hls/720p_003.m4s"),
 * read back whole or by byte range. Writes are atomic: a reader sees the old object, the new one or none.
 */
export interface Storage {
  readonly driver: 'fs' | 's3';
  put(key: string, body: Buffer | string | Readable, contentType?: string): Promise<void>;
  putFile(key: string, localPath: string, contentType?: string): Promise<void>;
  /** Downloads an object to a local file (ffmpeg wants a seekable input). */
  download(key: string, localPath: string): Promise<void>;
  stat(key: string): Promise<StoredObject | null>;
  /** The object's bytes (or a range of them), or null when it does not exist. */
  read(key: string, range?: ByteRange): Promise<(StoredObject & { body: Readable }) | null>;
  exists(key: string): Promise<boolean>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A direct, time-limited URL for the object when the driver can give one (S3 presigning); with `contentDisposition`,
   * the answer carries that Content-Disposition header (the browser saves the file instead of showing it).
   */
  presignedUrl?(key: string, expiresInSeconds: number, options?: { contentDisposition?: string }): Promise<string>;
  /** Where the object already is on this machine's disk, when the driver keeps it there (fs): read it in place. */
  localPath?(key: string): string;
  ping(): Promise<void>;
}

/** Keys are relative, '/'-separated, and never climb out of their prefix. */
export function assertSafeKey(key: string): void {
  if (!key || key.startsWith('/') || key.includes('\\') || key.includes('\0') || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key)}`);
  }
}

/**
 * Completes a local copy that already holds the first bytes of the object (a worker's copy of an upload that was
 * still arriving) with a range read of the rest. False when the copy does not fit the object (larger than it).
 */
export async function downloadRest(storage: Storage, key: string, localPath: string): Promise<boolean> {
  const have = (await stat(localPath)).size;
  const object = await storage.stat(key);
  if (!object) throw new Error(`storage object not found: ${key}`);
  if (have > object.size) return false;
  if (have === object.size) return true;
  const rest = await storage.read(key, { start: have, end: object.size - 1 });
  if (!rest) throw new Error(`storage object not found: ${key}`);
  await pipeline(rest.body, createWriteStream(localPath, { flags: 'a' }));
  return (await stat(localPath)).size === object.size;
}
