import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsStorage } from '../../src/infra/storage/fs-storage.ts';
import { S3Storage } from '../../src/infra/storage/s3-storage.ts';
import { assertSafeKey, downloadRest, type Storage } from '../../src/infra/storage/storage.ts';
import { BUCKET, letS3rverPaginateOnOpenSsl3, startS3Server, type S3Server } from '../helpers/s3.ts';

const MiB = 1024 * 1024;

/** Scratch space for this file: storage roots, s3rver's data, local files to upload and download. */
let scratchDir: string;
let undoDesShim: () => void = () => {};
beforeAll(async () => {
  scratchDir = await mkdtemp(path.join(tmpdir(), 'tube-storage-test-'));
  undoDesShim = letS3rverPaginateOnOpenSsl3();
});
afterAll(async () => {
  undoDesShim();
  if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
});

interface RunningStorage {
  storage: Storage;
  stop(): Promise<void>;
}

const drivers: { driver: Storage['driver']; start(): Promise<RunningStorage> }[] = [
  {
    driver: 'fs',
    async start() {
      return { storage: new FsStorage(path.join(scratchDir, 'fs-root')), stop: async () => {} };
    },
  },
  {
    driver: 's3',
    async start() {
      const server = await startS3Server(scratchDir);
      const storage = new S3Storage(server.settings);
      return {
        storage,
        async stop() {
          storage.client.destroy();
          await server.stop();
        },
      };
    },
  },
];

async function bytesOf(body: Readable): Promise<Buffer> {
  return Buffer.concat(await body.toArray());
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A stream that hands out `chunks` one by one with a pause before each, like a slow upload. */
function slowStream(chunks: Buffer[], pauseMs: number): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) {
        await sleep(pauseMs);
        yield chunk;
      }
    })(),
  );
}

/** A stream that delivers `before` and then fails, like an upload whose client disconnected. */
function streamFailingAfter(before: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield before;
      await sleep(10);
      throw new Error('client went away');
    })(),
  );
}

/** Splits `bytes` into chunks of `size` bytes. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}

describe('assertSafeKey', () => {
  it.each(['videos/abc/hls/720p_003.m4s', 'a', 'thumbnails/v1.jpg', 'names/with..dots/and spaces.txt'])('accepts %j', (key) => {
    expect(() => assertSafeKey(key)).not.toThrow();
  });

  it.each([
    ['the empty key', ''],
    ['a parent segment', '../escape'],
    ['a parent segment in the middle', 'videos/../../etc/passwd'],
    ['a trailing parent segment', 'videos/..'],
    ['an absolute key', '/etc/passwd'],
    ['an empty segment', 'videos//hls'],
    ['a trailing slash', 'videos/'],
    ['a current-directory segment', './videos'],
    ['a backslash', 'videos\\..\\secret'],
    ['a NUL byte', 'videos/a\0b'],
  ])('rejects %s (%j)', (_, key) => {
    expect(() => assertSafeKey(key)).toThrow(/unsafe storage key/);
  });
});

describe.each(drivers)('storage contract: $driver', ({ driver, start }) => {
  let running: RunningStorage;
  let storage: Storage;
  beforeAll(async () => {
    running = await start();
    storage = running.storage;
  });
  afterAll(() => running?.stop());

  it(`reports its driver as "${driver}" and answers ping`, async () => {
    expect(storage.driver).toBe(driver);
    await expect(storage.ping()).resolves.toBeUndefined();
  });

  describe('put and read', () => {
    it('stores a Buffer byte for byte', async () => {
      const bytes = randomBytes(4096);
      await storage.put('put/buffer.bin', bytes);
      const object = await storage.read('put/buffer.bin');
      expect(object).not.toBeNull();
      expect(object!.size).toBe(4096);
      expect((await bytesOf(object!.body)).equals(bytes)).toBe(true);
    });

    it('stores a string as UTF-8', async () => {
      const manifest = '#EXTM3U\n#EXT-X-VERSION:7\n# Grüße 動画\n';
      await storage.put('put/string.m3u8', manifest, 'application/vnd.apple.mpegurl');
      const object = await storage.read('put/string.m3u8');
      expect(object!.size).toBe(Buffer.byteLength(manifest));
      expect((await bytesOf(object!.body)).toString('utf8')).toBe(manifest);
    });

    it('stores a Readable stream delivered in many chunks', async () => {
      const bytes = randomBytes(300_000);
      await storage.put('put/stream.bin', Readable.from(chunked(bytes, 7000)));
      expect((await bytesOf((await storage.read('put/stream.bin'))!.body)).equals(bytes)).toBe(true);
    });

    it('stores an empty object', async () => {
      await storage.put('put/empty.txt', Buffer.alloc(0));
      expect((await storage.stat('put/empty.txt'))?.size).toBe(0);
      expect((await bytesOf((await storage.read('put/empty.txt'))!.body)).length).toBe(0);
    });

    it('replaces an existing object on a second put', async () => {
      await storage.put('put/replaced.txt', 'first version, longer');
      await storage.put('put/replaced.txt', 'second');
      expect((await bytesOf((await storage.read('put/replaced.txt'))!.body)).toString()).toBe('second');
      expect((await storage.stat('put/replaced.txt'))?.size).toBe(6);
    });

    it('uploads a local file with putFile', async () => {
      const bytes = randomBytes(123_457);
      const localFile = path.join(scratchDir, `${driver}-upload.bin`);
      await writeFile(localFile, bytes);
      await storage.putFile('put/from-file.bin', localFile, 'video/mp4');
      expect((await storage.stat('put/from-file.bin'))?.size).toBe(bytes.length);
      expect((await bytesOf((await storage.read('put/from-file.bin'))!.body)).equals(bytes)).toBe(true);
    });
  });

  describe('stat', () => {
    it('gives size, last-modified time and an etag that changes with the content', async () => {
      const before = Date.now();
      await storage.put('stat/object.txt', 'twelve bytes');
      const after = Date.now();
      const first = await storage.stat('stat/object.txt');
      expect(first).not.toBeNull();
      expect(first!.size).toBe(12);
      expect(first!.lastModified).toBeInstanceOf(Date);
      // S3 reports Last-Modified in whole seconds.
      expect(first!.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
      expect(first!.lastModified.getTime()).toBeLessThanOrEqual(after + 1000);
      expect(first!.etag).toMatch(/^".+"$/);

      await storage.put('stat/object.txt', 'a different, longer body');
      const second = await storage.stat('stat/object.txt');
      expect(second!.size).toBe(24);
      expect(second!.etag).not.toBe(first!.etag);
    });

    it('agrees with read() about the object', async () => {
      await storage.put('stat/agree.bin', randomBytes(999));
      const stat = await storage.stat('stat/agree.bin');
      const object = await storage.read('stat/agree.bin');
      expect({ size: object!.size, etag: object!.etag, lastModified: object!.lastModified.getTime() }).toEqual({
        size: stat!.size,
        etag: stat!.etag,
        lastModified: stat!.lastModified.getTime(),
      });
      object!.body.destroy();
    });
  });

  describe('byte ranges', () => {
    const bytes = randomBytes(10_000);
    beforeAll(async () => {
      await storage.put('range/object.bin', bytes);
    });

    it.each([
      ['the first bytes', 0, 9],
      ['a middle slice', 1000, 1999],
      ['a single byte', 5, 5],
      ['the tail up to the last byte', 9900, 9999],
      ['the whole object as a range', 0, 9999],
    ])('returns exactly %s (%i-%i) and the full object size', async (_, first, last) => {
      const object = await storage.read('range/object.bin', { start: first, end: last });
      expect(object).not.toBeNull();
      expect(object!.size).toBe(10_000);
      const slice = await bytesOf(object!.body);
      expect(slice.length).toBe(last - first + 1);
      expect(slice.equals(bytes.subarray(first, last + 1))).toBe(true);
    });
  });

  describe('download', () => {
    it('writes the object to a local file, creating its directory', async () => {
      const bytes = randomBytes(50_000);
      await storage.put('download/source.bin', bytes);
      const target = path.join(scratchDir, `${driver}-downloads`, 'nested', 'copy.bin');
      await storage.download('download/source.bin', target);
      expect((await readFile(target)).equals(bytes)).toBe(true);
    });

    it('rejects when the object does not exist', async () => {
      await expect(storage.download('download/missing.bin', path.join(scratchDir, `${driver}-missing.bin`))).rejects.toThrow();
    });

    it('completes a local copy of the first bytes with the rest (downloadRest), and refuses one that does not fit', async () => {
      const bytes = randomBytes(30_000);
      await storage.put('download/rest.bin', bytes);
      const target = path.join(scratchDir, `${driver}-rest.bin`);
      await writeFile(target, bytes.subarray(0, 12_345));
      expect(await downloadRest(storage, 'download/rest.bin', target)).toBe(true);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      // Already whole: nothing to fetch.
      expect(await downloadRest(storage, 'download/rest.bin', target)).toBe(true);
      expect((await readFile(target)).equals(bytes)).toBe(true);
      await writeFile(target, Buffer.concat([bytes, Buffer.from('more')]));
      expect(await downloadRest(storage, 'download/rest.bin', target)).toBe(false);
    });
  });

  describe('missing keys', () => {
    it('give null from stat and read (with or without a range) and false from exists', async () => {
      expect(await storage.stat('missing/object.bin')).toBeNull();
      expect(await storage.read('missing/object.bin')).toBeNull();
      expect(await storage.read('missing/object.bin', { start: 0, end: 9 })).toBeNull();
      expect(await storage.exists('missing/object.bin')).toBe(false);
    });

    it('treat a "directory" of other objects as missing', async () => {
      await storage.put('missing/dir/child.txt', 'child');
      expect(await storage.stat('missing/dir')).toBeNull();
      expect(await storage.exists('missing/dir')).toBe(false);
    });
  });

  describe('exists, list and delete', () => {
    beforeAll(async () => {
      await Promise.all(
        ['tree/a.txt', 'tree/sub/b.txt', 'tree/sub/deeper/c.txt', 'tree/sub/deeper/d.txt', 'treehouse/e.txt', 'other/f.txt'].map((key) =>
          storage.put(key, key),
        ),
      );
    });

    it('exists is true for stored objects only', async () => {
      expect(await storage.exists('tree/sub/b.txt')).toBe(true);
      expect(await storage.exists('tree/sub/x.txt')).toBe(false);
    });

    it('lists every nested key under a prefix, sorted, and nothing from a sibling sharing its spelling', async () => {
      const all = ['tree/a.txt', 'tree/sub/b.txt', 'tree/sub/deeper/c.txt', 'tree/sub/deeper/d.txt'];
      expect(await storage.list('tree')).toEqual(all);
      expect(await storage.list('tree/')).toEqual(all);
      expect(await storage.list('tree/sub/deeper')).toEqual(['tree/sub/deeper/c.txt', 'tree/sub/deeper/d.txt']);
      expect(await storage.list('nothing-here')).toEqual([]);
    });

    it('delete removes one object and ignores a missing key', async () => {
      await storage.put('delete/one.txt', 'one');
      await storage.put('delete/two.txt', 'two');
      await storage.delete('delete/one.txt');
      await expect(storage.delete('delete/never-existed.txt')).resolves.toBeUndefined();
      expect(await storage.exists('delete/one.txt')).toBe(false);
      expect(await storage.read('delete/one.txt')).toBeNull();
      expect(await storage.list('delete')).toEqual(['delete/two.txt']);
    });

    it('deletePrefix removes everything under the prefix and nothing else', async () => {
      await storage.deletePrefix('tree/sub');
      expect(await storage.list('tree')).toEqual(['tree/a.txt']);
      await storage.deletePrefix('tree/');
      expect(await storage.list('tree')).toEqual([]);
      expect(await storage.exists('treehouse/e.txt')).toBe(true);
      expect(await storage.list('other')).toEqual(['other/f.txt']);
      await expect(storage.deletePrefix('never/was')).resolves.toBeUndefined();
    });

    it('deletePrefix copes with more objects than one S3 delete request takes (1000)', async () => {
      const keys = Array.from({ length: 1005 }, (_, i) => `bulk/${String(i).padStart(4, '0')}.txt`);
      for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((key) => storage.put(key, 'x')));
      expect(await storage.list('bulk')).toEqual(keys);
      await storage.deletePrefix('bulk');
      expect(await storage.list('bulk')).toEqual([]);
    });
  });

  describe('unsafe keys', () => {
    const localFile = () => path.join(scratchDir, `${driver}-unsafe-source.txt`);
    beforeAll(async () => {
      await writeFile(localFile(), 'payload');
    });

    it.each(['../escape.txt', '/etc/tube-escape.txt', 'videos//x.txt', 'videos/../../escape.txt'])(
      'are refused by every operation on a single key: %j',
      async (key) => {
        await expect(storage.put(key, 'payload')).rejects.toThrow(/unsafe storage key/);
        await expect(storage.putFile(key, localFile())).rejects.toThrow(/unsafe storage key/);
        await expect(storage.stat(key)).rejects.toThrow(/unsafe storage key/);
        await expect(storage.read(key)).rejects.toThrow(/unsafe storage key/);
        await expect(storage.exists(key)).rejects.toThrow(/unsafe storage key/);
        await expect(storage.delete(key)).rejects.toThrow(/unsafe storage key/);
        await expect(storage.download(key, path.join(scratchDir, 'never-written.txt'))).rejects.toThrow(/unsafe storage key/);
        expect(existsSync(path.join(scratchDir, 'escape.txt'))).toBe(false);
        expect(existsSync('/etc/tube-escape.txt')).toBe(false);
      },
    );
  });

  describe('atomic writes', () => {
    it('a stream that fails half way leaves no object and nothing visible in list()', async () => {
      await expect(storage.put('atomic/new/object.bin', streamFailingAfter(randomBytes(64 * 1024)))).rejects.toThrow('client went away');
      expect(await storage.exists('atomic/new/object.bin')).toBe(false);
      expect(await storage.read('atomic/new/object.bin')).toBeNull();
      expect(await storage.list('atomic/new')).toEqual([]);
    });

    it('a failed overwrite keeps the previous object intact', async () => {
      const original = randomBytes(20_000);
      await storage.put('atomic/existing.bin', original);
      await expect(storage.put('atomic/existing.bin', streamFailingAfter(randomBytes(64 * 1024)))).rejects.toThrow('client went away');
      expect((await bytesOf((await storage.read('atomic/existing.bin'))!.body)).equals(original)).toBe(true);
      expect(await storage.list('atomic')).toEqual(['atomic/existing.bin']);
    });
  });

  describe('large objects (8 MiB)', () => {
    const large = randomBytes(8 * MiB);
    const largeHash = sha256(large);

    it('put from a Buffer: stat, a range across the middle, and a download all match', async () => {
      await storage.put('large/buffer.bin', large);
      expect((await storage.stat('large/buffer.bin'))?.size).toBe(8 * MiB);
      const middle = await storage.read('large/buffer.bin', { start: 4 * MiB - 100, end: 4 * MiB + 99 });
      expect((await bytesOf(middle!.body)).equals(large.subarray(4 * MiB - 100, 4 * MiB + 100))).toBe(true);
      const target = path.join(scratchDir, `${driver}-large-download.bin`);
      await storage.download('large/buffer.bin', target);
      expect(sha256(await readFile(target))).toBe(largeHash);
    });

    it('put from a stream of 64 KiB chunks', async () => {
      await storage.put('large/stream.bin', Readable.from(chunked(large, 64 * 1024)));
      expect(sha256(await bytesOf((await storage.read('large/stream.bin'))!.body))).toBe(largeHash);
    });

    it('putFile from disk', async () => {
      const localFile = path.join(scratchDir, `${driver}-large-upload.bin`);
      await writeFile(localFile, large);
      await storage.putFile('large/file.bin', localFile);
      expect((await storage.stat('large/file.bin'))?.size).toBe(8 * MiB);
      expect(sha256(await bytesOf((await storage.read('large/file.bin'))!.body))).toBe(largeHash);
    });
  });
});

describe('FsStorage specifics', () => {
  let root: string;
  let storage: FsStorage;
  beforeAll(async () => {
    root = path.join(scratchDir, 'fs-specifics');
    storage = new FsStorage(root);
  });

  it('lays objects out as files under its root', async () => {
    await storage.put('videos/v1/hls/master.m3u8', '#EXTM3U\n');
    expect(await readFile(path.join(root, 'videos', 'v1', 'hls', 'master.m3u8'), 'utf8')).toBe('#EXTM3U\n');
  });

  it('a reader during a slow write sees the old file or the complete new one, never a part', async () => {
    const oldBytes = Buffer.from('old version');
    const newBytes = randomBytes(200_000);
    await storage.put('atomic/slow.bin', oldBytes);
    let writing = true;
    const write = storage.put('atomic/slow.bin', slowStream(chunked(newBytes, 20_000), 15)).finally(() => {
      writing = false;
    });
    const observed = new Set<string>();
    while (writing) {
      const object = await storage.read('atomic/slow.bin');
      expect(object).not.toBeNull();
      const body = await bytesOf(object!.body);
      if (body.equals(oldBytes)) observed.add('old');
      else if (body.equals(newBytes)) observed.add('new');
      else observed.add(`partial (${body.length} bytes)`);
      // The temporary file being written must not show up as an object either.
      expect(await storage.list('atomic')).toEqual(['atomic/slow.bin']);
    }
    await write;
    expect((await bytesOf((await storage.read('atomic/slow.bin'))!.body)).equals(newBytes)).toBe(true);
    expect([...observed].filter((seen) => seen !== 'old' && seen !== 'new')).toEqual([]);
    expect(observed.has('old')).toBe(true);
  });

  it('leaves no temporary file behind after a failed write', async () => {
    await expect(storage.put('failed/object.bin', streamFailingAfter(randomBytes(32 * 1024)))).rejects.toThrow('client went away');
    const leftovers = (await readdir(root, { recursive: true })).filter((entry) => entry.startsWith('failed'));
    expect(leftovers.filter((entry) => entry !== 'failed')).toEqual([]);
  });

  it('never writes outside its root for an unsafe key', async () => {
    await expect(storage.put('../outside.txt', 'escape')).rejects.toThrow(/unsafe storage key/);
    await expect(storage.deletePrefix('..')).rejects.toThrow(/unsafe storage key/);
    await expect(storage.list('../')).rejects.toThrow(/unsafe storage key/);
    expect(existsSync(path.join(scratchDir, 'outside.txt'))).toBe(false);
  });

  it('offers no presigned URLs', () => {
    const asStorage: Storage = storage;
    expect(asStorage.presignedUrl).toBeUndefined();
  });

  it('ping fails when the root cannot be created', async () => {
    const blocker = path.join(scratchDir, 'a-file-not-a-directory');
    await writeFile(blocker, '');
    await expect(new FsStorage(path.join(blocker, 'media')).ping()).rejects.toThrow();
  });
});

describe('S3Storage specifics', () => {
  let server: S3Server;
  let storage: S3Storage;
  beforeAll(async () => {
    server = await startS3Server(scratchDir);
    storage = new S3Storage(server.settings);
  });
  afterAll(async () => {
    storage?.client.destroy();
    await server?.stop();
  });

  it('stores the content type given to put and putFile', async () => {
    await storage.put('types/master.m3u8', '#EXTM3U\n', 'application/vnd.apple.mpegurl');
    const localFile = path.join(scratchDir, 'typed-upload.mp4');
    await writeFile(localFile, randomBytes(1000));
    await storage.putFile('types/video.mp4', localFile, 'video/mp4');
    const contentTypeOf = async (key: string) => (await storage.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentType;
    expect(await contentTypeOf('types/master.m3u8')).toBe('application/vnd.apple.mpegurl');
    expect(await contentTypeOf('types/video.mp4')).toBe('video/mp4');
  });

  it('gives a presigned URL that serves the exact bytes to a plain HTTP client', async () => {
    const bytes = randomBytes(70_000);
    await storage.put('presigned/segment.m4s', bytes, 'video/iso.segment');
    const url = await storage.presignedUrl('presigned/segment.m4s', 60);
    expect(url).toMatch(/X-Amz-Signature=/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/iso.segment');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('signs the URL for the requested lifetime', async () => {
    await storage.put('presigned/short-lived.txt', 'short');
    const url = new URL(await storage.presignedUrl('presigned/short-lived.txt', 90));
    expect(url.pathname).toBe(`/${BUCKET}/presigned/short-lived.txt`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('90');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\//);
  });

  it('refuses to presign an unsafe key', async () => {
    await expect(storage.presignedUrl('../secret', 60)).rejects.toThrow(/unsafe storage key/);
  });

  it('ping fails for a bucket that does not exist', async () => {
    const missingBucket = new S3Storage({ ...server.settings, bucket: 'no-such-bucket' });
    try {
      await expect(missingBucket.ping()).rejects.toThrow();
    } finally {
      missingBucket.client.destroy();
    }
  });

  it('ping fails when the server is unreachable', async () => {
    const unreachable = new S3Storage({ ...server.settings, endpoint: 'http://127.0.0.1:1' });
    try {
      await expect(unreachable.ping()).rejects.toThrow();
    } finally {
      unreachable.client.destroy();
    }
  });
});
