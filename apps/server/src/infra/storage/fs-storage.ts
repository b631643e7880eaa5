import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertSafeKey, type ByteRange, type Storage, type StoredObject } from './storage.ts';

export class FsStorage implements Storage {
  readonly driver = 'fs' as const;

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  /** Writes to a temporary sibling, then renames: readers never see a partial file. */
  private async writeAtomically(key: string, write: (tempPath: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await write(temp);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async put(key: string, body: Buffer | string | Readable): Promise<void> {
    await this.writeAtomically(key, (temp) =>
      pipeline(typeof body === 'string' || Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(temp)),
    );
  }

  async putFile(key: string, localPath: string): Promise<void> {
    await this.writeAtomically(key, (temp) => copyFile(localPath, temp));
  }

  async download(key: string, localPath: string): Promise<void> {
    await mkdir(path.dirname(localPath), { recursive: true });
    await copyFile(this.pathOf(key), localPath);
  }

  async stat(key: string): Promise<StoredObject | null> {
    // Outside the try: an unsafe key is an error, as in the S3 driver, not a missing object.
    const file = this.pathOf(key);
    try {
      const info = await stat(file);
      if (!info.isFile()) return null;
      return { size: info.size, lastModified: info.mtime, etag: `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"` };
    } catch {
      return null;
    }
  }

  async read(key: string, range?: ByteRange): Promise<(StoredObject & { body: Readable }) | null> {
    const info = await this.stat(key);
    if (!info) return null;
    const body = createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
    return { ...info, body };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== null;
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/+$/, '');
    assertSafeKey(base);
    const dir = this.pathOf(base);
    try {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.partial'))
        .map((e) => `${base}/${path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`)
        .sort();
    } catch {
      return [];
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    const base = prefix.replace(/\/+$/, '');
    // A task still writing into the prefix (it learns of a delete at its next heartbeat) can add a file between
    // rm's listing and its rmdir (ENOTEMPTY): rm retries those.
    await rm(this.pathOf(base), { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }
}
