import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@tube/shared';
import { sniffImageFormat } from '../../src/infra/images/images.ts';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FFMPEG } from '../helpers/media.ts';

/** Channel art is untrusted input decoded inside the API process: only real, bounded images get through. */
const run = promisify(execFile);
let t: TestApp;
let dir: string;
let token: string;
let handle: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-channel-images-'));
  t = await startTestApp();
  const owner = await registerUser(t.app);
  token = owner.accessToken;
  handle = owner.user.channel.handle;
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

function putAvatar(body: Buffer, contentType = 'image/png', kind: 'avatar' | 'banner' = 'avatar') {
  return t.app.inject({ method: 'PUT', url: `/api/v1/channels/${handle}/${kind}`, headers: { ...bearer(token), 'content-type': contentType }, payload: body });
}

async function storedImage(response: { json<T>(): T }, kind: 'avatar' | 'banner' = 'avatar'): Promise<Buffer> {
  const url = response.json<Channel>()[kind === 'avatar' ? 'avatarUrl' : 'bannerUrl']!;
  const media = await t.app.inject({ url });
  expect(media.statusCode).toBe(200);
  return media.rawPayload;
}

async function ffmpegImage(name: string, args: string[]): Promise<Buffer> {
  const file = path.join(dir, name);
  await run(FFMPEG, ['-v', 'error', '-y', ...args, file]);
  return readFile(file);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG of `size`×`size` black pixels at 1 bit per pixel: a few tens of kB that decode to hundreds of MB. */
function pixelBomb(size: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.writeUInt8(1, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const rowBytes = 1 + Math.ceil(size / 8); // filter byte + packed pixels
  const pixels = deflateSync(Buffer.alloc(rowBytes * size), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', pixels),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const HLS_PLAYLIST = Buffer.from('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:///etc/hostname\n#EXT-X-ENDLIST\n');

describe('channel art refuses what is not a bounded image', () => {
  it('refuses an HLS playlist sent as image/png (it once became an avatar of a local file)', async () => {
    const response = await putAvatar(HLS_PLAYLIST, 'image/png');
    expect(response.statusCode).toBe(415);
    expect(response.json().error).toMatchObject({ code: 'invalid_image', message: expect.stringMatching(/not an image/) });
  });

  it('refuses a playlist behind a PNG signature, and an SVG', async () => {
    const disguised = await putAvatar(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), HLS_PLAYLIST]));
    expect(disguised.statusCode).toBeGreaterThanOrEqual(400);
    expect(disguised.statusCode).toBeLessThan(500);
    const svg = await putAvatar(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="file:///etc/hostname"/></svg>'),
      'image/png',
    );
    expect(svg.statusCode).toBe(415);
  });

  it('refuses a text file', async () => {
    const response = await putAvatar(Buffer.from('hello, I am a text file\n'), 'image/jpeg');
    expect(response.statusCode).toBe(415);
    expect(response.json().error.message).toMatch(/JPEG, PNG, WebP or GIF/);
  });

  it('refuses a truncated JPEG as damaged', async () => {
    const jpeg = await ffmpegImage('whole.jpg', ['-f', 'lavfi', '-i', 'testsrc2=size=640x480', '-frames:v', '1']);
    const response = await putAvatar(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/damaged or incomplete/);
  });

  it('refuses a 16000×16000 pixel bomb from its header, several at once, without decoding it', async () => {
    const bomb = pixelBomb(16_000);
    expect(bomb.length).toBeLessThan(300_000);
    const rssBefore = process.memoryUsage().rss;
    const responses = await Promise.all(Array.from({ length: 4 }, () => putAvatar(bomb)));
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    for (const response of responses) {
      expect(response.statusCode).toBe(413);
      expect(response.json().error.message).toMatch(/16000×16000 pixels; the largest accepted is 40 megapixels/);
    }
    // Decoding even one would take 256 MB (1 byte per pixel) and far more in RGB.
    expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
  });
});

describe('channel art accepts real images, re-encoded', () => {
  it.each([
    ['PNG', 'image/png', () => ffmpegImage('art.png', ['-f', 'lavfi', '-i', 'testsrc2=size=1000x700', '-frames:v', '1'])],
    ['WebP', 'image/webp', () => ffmpegImage('art.webp', ['-f', 'lavfi', '-i', 'testsrc2=size=800x600', '-frames:v', '1', '-c:v', 'libwebp'])],
    // The declared type is ignored: the content decides.
    ['JPEG declared as PNG', 'image/png', () => ffmpegImage('art.jpg', ['-f', 'lavfi', '-i', 'testsrc2=size=640x480', '-frames:v', '1'])],
  ] as const)('%s becomes a 256×256 JPEG avatar', async (_name, contentType, make) => {
    const response = await putAvatar(await make(), contentType);
    expect(response.statusCode, response.body).toBe(200);
    const stored = await sharp(await storedImage(response)).metadata();
    expect(stored).toMatchObject({ format: 'jpeg', width: 256, height: 256 });
  });

  it('takes the first frame of an animated GIF', async () => {
    const gif = await ffmpegImage('two-frames.gif', [
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=320x240:r=1:d=1[r];color=c=blue:s=320x240:r=1:d=1[b];[r][b]concat=n=2:v=1:a=0[out0]',
    ]);
    expect((await sharp(gif, { animated: true }).metadata()).pages).toBe(2);
    const response = await putAvatar(gif, 'image/gif', 'banner');
    expect(response.statusCode, response.body).toBe(200);
    const stored = await storedImage(response, 'banner');
    const { data, info } = await sharp(stored).raw().toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: 2048, height: 340 });
    const [red, green, blue] = [data[0]!, data[1]!, data[2]!];
    expect(red).toBeGreaterThan(200);
    expect(blue).toBeLessThan(60);
    expect(green).toBeLessThan(60);
  });

  it('strips metadata (EXIF) from what it stores', async () => {
    const withExif = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#3366aa' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'private-marker-1234', Artist: 'private-marker-1234' } })
      .toBuffer();
    expect(withExif.includes('private-marker-1234')).toBe(true);
    const response = await putAvatar(withExif, 'image/jpeg');
    expect(response.statusCode).toBe(200);
    const stored = await storedImage(response);
    expect(stored.includes('private-marker-1234')).toBe(false);
    expect((await sharp(stored).metadata()).exif).toBeUndefined();
  });
});

describe('sniffImageFormat', () => {
  it('recognises the four formats by their first bytes only', () => {
    expect(sniffImageFormat(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'))).toBe('webp');
    expect(sniffImageFormat(Buffer.from('GIF89a', 'latin1'))).toBe('gif');
    expect(sniffImageFormat(Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffImageFormat(HLS_PLAYLIST)).toBeNull();
    expect(sniffImageFormat(Buffer.alloc(0))).toBeNull();
  });
});
