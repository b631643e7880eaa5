import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { baseUrl } from '../helpers/videos.ts';
import { createUpload, createVideo } from './tus-requests.ts';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const tusBundle = path.join(path.dirname(createRequire(import.meta.url).resolve('tus-js-client/package.json')), 'dist', 'tus.min.js');

/** A page on its own loopback origin that uploads with tus-js-client (the browser build). */
async function startUploaderPage(): Promise<{ origin: string; server: Server }> {
  const script = await readFile(tusBundle);
  const server = createServer((request, response) => {
    if (request.url === '/tus.min.js') return response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>uploader</title><script src="/tus.min.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the CORS_ORIGINS setting', () => {
  it('takes a list of origins or *, and stops start-up on anything else, naming the setting', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://127.0.0.1:8080' }).CORS_ORIGINS).toBe('https://a.example, http://127.0.0.1:8080');
    expect(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toBe('*');
    for (const bad of ['a.example', 'https://a.example/path', '*,https://a.example']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });
});

describe('CORS by default (same origin only)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets tus answer a plain OPTIONS (no Origin) and advertise its version, extensions and maximum size', async () => {
    const response = await t.app.inject({ method: 'OPTIONS', url: '/api/v1/uploads' });
    expect(response.statusCode).toBe(204);
    expect(response.headers['tus-version']).toBe('1.0.0');
    expect(String(response.headers['tus-extension']).split(',')).toEqual(
      expect.arrayContaining(['creation', 'creation-defer-length', 'termination', 'expiration']),
    );
    expect(response.headers['tus-max-size']).toBe(String(t.config.UPLOAD_MAX_BYTES));
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives other origins no access to the API or uploads', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/videos',
      headers: { origin: 'http://elsewhere.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const tusPreflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/uploads',
      headers: { origin: 'http://elsewhere.test', 'access-control-request-method': 'POST' },
    });
    expect(tusPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('tells the client when an unfinished upload expires', async () => {
    const { accessToken } = await registerUser(t.app);
    const created = await createUpload(t.app, accessToken, await createVideo(t.app, accessToken), 100);
    expect(created.statusCode).toBe(201);
    const expires = Date.parse(String(created.headers['upload-expires']));
    expect(expires - Date.now()).toBeGreaterThan((t.config.UPLOAD_EXPIRY_SECONDS - 60) * 1000);
    expect(expires - Date.now()).toBeLessThan((t.config.UPLOAD_EXPIRY_SECONDS + 60) * 1000);
  });
});

describe('CORS_ORIGINS', () => {
  let t: TestApp;
  let page: { origin: string; server: Server };
  let stranger: { origin: string; server: Server };
  let browser: Browser;
  beforeAll(async () => {
    page = await startUploaderPage();
    stranger = await startUploaderPage();
    t = await startTestApp({ CORS_ORIGINS: `${page.origin},http://other.test` });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    page?.server.close();
    stranger?.server.close();
  });

  it('answers preflights of an allowed origin with the methods and headers tus and the API need', async () => {
    const upload = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/uploads/00000000-0000-4000-8000-000000000000',
      headers: {
        origin: page.origin,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,tus-resumable,upload-offset,content-type',
      },
    });
    expect(upload.statusCode).toBe(204);
    expect(upload.headers['access-control-allow-origin']).toBe(page.origin);
    expect(String(upload.headers['access-control-allow-methods'])).toMatch(/PATCH/);
    expect(String(upload.headers['access-control-allow-methods'])).toMatch(/DELETE/);
    expect(String(upload.headers['access-control-allow-headers']).toLowerCase()).toEqual(expect.stringContaining('authorization'));
    expect(String(upload.headers['access-control-allow-headers']).toLowerCase()).toEqual(expect.stringContaining('upload-offset'));

    const api = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/videos/00000000-0000-4000-8000-000000000000',
      headers: { origin: 'http://other.test', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(api.statusCode).toBe(204);
    expect(api.headers['access-control-allow-origin']).toBe('http://other.test');
    expect(String(api.headers['access-control-allow-methods'])).toEqual(expect.stringContaining('PATCH'));
    expect(String(api.headers['access-control-allow-methods'])).toEqual(expect.stringContaining('DELETE'));

    const refused = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/videos',
      headers: { origin: stranger.origin, 'access-control-request-method': 'POST' },
    });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  /** Uploads `size` bytes from a page on `origin` with tus-js-client in small chunks; resolves with the outcome. */
  async function uploadFromBrowser(origin: string, token: string, videoId: string, size: number): Promise<string> {
    const tab = await browser.newPage();
    try {
      await tab.goto(origin);
      return await tab.evaluate(
        ({ endpoint, token, videoId, size }) =>
          new Promise<string>((resolve) => {
            const bytes = new Uint8Array(size).map((_, i) => (i * 31) % 251);
            const tus = (window as unknown as { tus: { Upload: new (file: Blob, options: Record<string, unknown>) => { start(): void } } }).tus;
            new tus.Upload(new Blob([bytes]), {
              endpoint,
              chunkSize: 4096,
              retryDelays: [],
              headers: { Authorization: `Bearer ${token}` },
              metadata: { videoId, filename: 'browser.bin', filetype: 'video/mp4' },
              onSuccess: () => resolve('success'),
              onError: (error: Error) => resolve(`error: ${error.message}`),
            }).start();
          }),
        { endpoint: `${baseUrl(t)}/api/v1/uploads`, token, videoId, size },
      );
    } finally {
      await tab.close();
    }
  }

  it('lets a page on an allowed origin upload with tus-js-client in Chromium, chunk by chunk; a page on another origin cannot', async () => {
    const { accessToken } = await registerUser(t.app);
    const size = 10_000;
    const video = await createVideo(t.app, accessToken);
    expect(await uploadFromBrowser(page.origin, accessToken, video, size)).toBe('success');
    const stored = await readFile(path.join(t.config.mediaDir, 'uploads', video));
    expect(stored).toEqual(Buffer.from(new Uint8Array(size).map((_, i) => (i * 31) % 251)));
    const row = await t.infra.db.selectFrom('videos').select(['status', 'source_bytes']).where('id', '=', video).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'queued', source_bytes: size });

    const other = await createVideo(t.app, accessToken);
    expect(await uploadFromBrowser(stranger.origin, accessToken, other, 100)).toMatch(/^error/);
    expect((await t.infra.db.selectFrom('videos').select('status').where('id', '=', other).executeTakeFirstOrThrow()).status).toBe('awaiting_upload');
  });
});
