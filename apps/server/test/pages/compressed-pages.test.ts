/**
 * Server-rendered pages go out compressed like the static files: the watch, channel, playlist and embed
 * pages (index.html with their own head) in brotli or gzip as the client accepts, with Vary: Accept-Encoding
 * and a weak ETag that revalidates to 304 whatever the coding. Real HTTP requests against a listening server.
 */
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { negotiateEncoding } from '../../src/http/compressed-body.ts';

// Big enough to be worth compressing, like the real index.html (its inline theme script and preloads).
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="description" content="Watch and share videos on your own Tube server." />
    <title>Tube</title>
    <script>${'/* theme bootstrap */ '.repeat(80)}</script>
    <script type="module" src="/assets/index.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>
`;

let t: TestApp;
let baseUrl = '';
let distDir = '';
let videoId = '';
let handle = '';

beforeAll(async () => {
  distDir = await mkdtemp(path.join(tmpdir(), 'tube-compressed-pages-'));
  await Promise.all([
    writeFile(path.join(distDir, 'index.html'), INDEX_HTML),
    writeFile(path.join(distDir, 'index.html.br'), brotliCompressSync(INDEX_HTML)),
    writeFile(path.join(distDir, 'index.html.gz'), gzipSync(INDEX_HTML)),
  ]);
  t = await startTestApp({ WEB_DIST_DIR: distDir });
  baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const alice = await registerUser(t.app, 'alice');
  handle = alice.user.channel.handle;
  videoId = await insertReadyVideo(t, alice.user.id, { title: 'Coastline at noon', visibility: 'public' });
});
afterAll(async () => {
  await t?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain HTTP request that leaves the body as sent (fetch would decompress it). */
function get(pathname: string, headers: Record<string, string>, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${pathname}`, { method, headers: { accept: 'text/html', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

const decoded = (response: RawResponse): string => {
  const coding = response.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(response.body).toString('utf8');
  if (coding === 'gzip') return gunzipSync(response.body).toString('utf8');
  return response.body.toString('utf8');
};

describe('server-rendered pages', () => {
  it('send the watch page in brotli to a browser, gzip to gzip-only clients, plain to the rest', async () => {
    const br = await get(`/watch/${videoId}`, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(br.headers['cache-control']).toBe('no-cache');
    const html = decoded(br);
    expect(html).toContain('<meta property="og:title" content="Coastline at noon');
    expect(br.body.length).toBeLessThan(Buffer.byteLength(html) / 2);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);

    const gzip = await get(`/watch/${videoId}`, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(decoded(gzip)).toBe(html);
    const refusedBrotli = await get(`/watch/${videoId}`, { 'accept-encoding': 'br;q=0, gzip;q=0.8' });
    expect(refusedBrotli.headers['content-encoding']).toBe('gzip');

    const plain = await get(`/watch/${videoId}`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(html);
    expect(String(plain.headers.vary)).toMatch(/accept-encoding/i);
  });

  it('revalidate with one weak ETag for every coding: 304 without a body', async () => {
    const first = await get(`/watch/${videoId}`, { 'accept-encoding': 'br' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const plain = await get(`/watch/${videoId}`, {});
    expect(plain.headers.etag).toBe(etag);
    const revalidated = await get(`/watch/${videoId}`, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    expect(revalidated.headers.etag).toBe(etag);
    // Another page (another head) has another tag, so a stale one gets the full page.
    const channel = await get(`/channel/${handle}`, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(channel.status).toBe(200);
    expect(channel.headers.etag).not.toBe(etag);
  });

  it('compress the channel and embed pages too, and the embed page keeps its frame policy', async () => {
    const channel = await get(`/channel/${handle}`, { 'accept-encoding': 'gzip, br' });
    expect(channel.headers['content-encoding']).toBe('br');
    expect(decoded(channel)).toContain('og:type" content="profile"');
    const embed = await get(`/embed/${videoId}`, { 'accept-encoding': 'gzip, br' });
    expect(embed.headers['content-encoding']).toBe('br');
    expect(String(embed.headers['content-security-policy'])).toContain('frame-ancestors');
    expect(decoded(embed)).toContain('noindex');
    // A page for nothing (unknown video) is the plain app, compressed all the same.
    const missing = await get('/watch/nothing-here', { 'accept-encoding': 'gzip' });
    expect(missing.headers['content-encoding']).toBe('gzip');
    expect(decoded(missing)).toBe(INDEX_HTML);
  });

  it('the app shell for other routes comes from the precompressed index.html', async () => {
    const home = await get('/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(home.status).toBe(200);
    expect(home.headers['content-encoding']).toBe('br');
    expect(String(home.headers.vary)).toMatch(/accept-encoding/i);
    expect(decoded(home)).toBe(INDEX_HTML);
    const deep = await get('/feed/trending', { 'accept-encoding': 'gzip' });
    expect(deep.headers['content-encoding']).toBe('gzip');
    expect(decoded(deep)).toBe(INDEX_HTML);
  });
});

describe('Accept-Encoding negotiation', () => {
  it('prefers brotli, honours q-values and *, and falls back to identity', () => {
    expect(negotiateEncoding(undefined)).toBe('identity');
    expect(negotiateEncoding('')).toBe('identity');
    expect(negotiateEncoding('gzip, deflate, br')).toBe('br');
    expect(negotiateEncoding('gzip;q=1.0, br;q=0.5')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('*;q=0, identity')).toBe('identity');
    expect(negotiateEncoding('x-gzip')).toBe('gzip');
    expect(negotiateEncoding('deflate, identity')).toBe('identity');
    expect(negotiateEncoding('GZIP;Q=0.3, ;;, br;q=nonsense')).toBe('gzip');
  });
});
