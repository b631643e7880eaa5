/**
 * The web app's files go out compressed: the build writes .br and .gz copies, and the server sends the one the
 * browser accepts (brotli first), with Vary: Accept-Encoding, and the original to browsers that accept neither.
 */
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const SCRIPT = `console.log(${JSON.stringify('tube '.repeat(2000))});\n`;
let t: TestApp;
let distDir = '';

beforeAll(async () => {
  distDir = await mkdtemp(path.join(tmpdir(), 'tube-web-assets-'));
  await mkdir(path.join(distDir, 'assets'));
  await writeFile(path.join(distDir, 'index.html'), '<!doctype html><html><head><title>Tube</title></head><body></body></html>');
  await writeFile(path.join(distDir, 'assets/app-1234.js'), SCRIPT);
  await writeFile(path.join(distDir, 'assets/app-1234.js.br'), brotliCompressSync(SCRIPT));
  await writeFile(path.join(distDir, 'assets/app-1234.js.gz'), gzipSync(SCRIPT));
  t = await startTestApp({ WEB_DIST_DIR: distDir });
});
afterAll(async () => {
  await t?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

const get = (encoding: string | null) => t.app.inject({ url: '/assets/app-1234.js', headers: encoding === null ? {} : { 'accept-encoding': encoding } });

describe('precompressed web assets', () => {
  it('sends brotli to browsers that accept it', async () => {
    const response = await get('gzip, deflate, br, zstd');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(SCRIPT);
    expect(response.rawPayload.length).toBeLessThan(SCRIPT.length / 10);
  });

  it('sends gzip to those that accept only gzip, and the original to the rest', async () => {
    const gzip = await get('gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(SCRIPT);
    const plain = await get(null);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
  });
});
