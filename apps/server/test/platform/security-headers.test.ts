import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/http/app-types.ts';
import { embeddablePage, installSecurityHeaders, mediaOrigins } from '../../src/http/security-headers.ts';
import { loadConfig } from '../../src/config.ts';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';

/** Security headers on API, docs and media responses; the per-route frame policy for embeddable pages. */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ MEDIA_BASE_URL: 'https://cdn.example.test' });
});
afterAll(async () => {
  await t?.close();
});

describe('security headers', () => {
  it('are on API responses, errors included', async () => {
    for (const url of ['/api/v1/videos', '/api/v1/nothing-here']) {
      const response = await t.app.inject({ url });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
    }
  });

  it('let the media origin (MEDIA_BASE_URL) serve images, media and fetches', async () => {
    const csp = String((await t.app.inject({ url: '/api/v1/videos' })).headers['content-security-policy']);
    for (const directive of ['img-src', 'media-src', 'connect-src']) {
      expect(csp).toMatch(new RegExp(`${directive} [^;]*https://cdn\\.example\\.test`));
    }
    expect(csp).not.toMatch(/script-src [^;]*cdn\.example\.test/);
    // Plain HTTP deployments are not told to upgrade requests or remember HSTS.
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('let other origins load media and channel art (Cross-Origin-Resource-Policy)', async () => {
    const owner = await registerUser(t.app);
    const id = await insertReadyVideo(t, owner.user.id);
    await t.infra.db
      .updateTable('videos')
      .set({ media_prefix: `videos/${id}/v1` })
      .where('id', '=', id)
      .execute();
    await t.infra.storage.put(`videos/${id}/v1/master.m3u8`, '#EXTM3U\n');
    const media = await t.app.inject({ url: `/media/videos/${id}/v1/master.m3u8` });
    expect(media.statusCode).toBe(200);
    expect(media.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(media.headers['x-content-type-options']).toBe('nosniff');
  });

  it('are on not-found answers, HEAD requests and CORS preflights too, with the resource policy of the URL asked for', async () => {
    const cases = [
      { method: 'GET', url: '/.well-known/nothing-here', status: 404, policy: 'cross-origin' },
      { method: 'GET', url: '/nothing-here', status: 404, policy: 'same-origin' },
      { method: 'HEAD', url: '/api/v1/videos', status: 200, policy: 'same-origin' },
      // No CORS_ORIGINS: the catch-all OPTIONS route hands preflights to the not-found handler.
      { method: 'OPTIONS', url: '/media/videos/x/master.m3u8', status: 404, policy: 'cross-origin' },
      { method: 'OPTIONS', url: '/api/v1/videos', status: 404, policy: 'same-origin' },
    ] as const;
    for (const { method, url, status, policy } of cases) {
      const response = await t.app.inject({ method, url, headers: { origin: 'https://elsewhere.example.test', 'access-control-request-method': 'GET' } });
      expect({ method, url, status: response.statusCode }).toEqual({ method, url, status });
      expect(response.headers['cross-origin-resource-policy']).toBe(policy);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('allow inline styles on the API docs pages only (swagger-ui injects its stylesheet), never inline scripts', async () => {
    const docs = await t.app.inject({ url: '/api/docs/static/index.html' });
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toMatch(/script-src 'self';/);
    expect(String((await t.app.inject({ url: '/api/v1/videos' })).headers['content-security-policy'])).toMatch(/style-src 'self';/);
  });

  it('use HSTS and upgrade-insecure-requests when the public URL is HTTPS', async () => {
    const https = await startTestApp({ PUBLIC_URL: 'https://tube.example.test' }, 'worker');
    try {
      const response = await https.app.inject({ url: '/healthz' });
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await https.close();
    }
  });
});

describe('per-route frame policy', () => {
  it('lets a route marked embeddablePage be framed by any site, and keeps every other route unframeable', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'http://tube.example.test' });
    const app = Fastify() as unknown as App;
    await installSecurityHeaders(app, config);
    app.get('/embed/:id', { ...embeddablePage(config) }, async () => 'player');
    app.get('/watch/:id', async () => 'page');
    await app.ready();
    try {
      const embed = await app.inject({ url: '/embed/abc' });
      expect(embed.headers['content-security-policy']).toContain('frame-ancestors *');
      expect(embed.headers['x-frame-options']).toBeUndefined();
      expect(embed.headers['x-content-type-options']).toBe('nosniff');
      const watch = await app.inject({ url: '/watch/abc' });
      expect(watch.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(watch.headers['x-frame-options']).toBe('DENY');
    } finally {
      await app.close();
    }
  });
});

describe('mediaOrigins', () => {
  const base = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://tube.example.test' });
  it('names the CDN and the presigned S3 endpoint, never our own origin', () => {
    expect(mediaOrigins({ ...base, MEDIA_BASE_URL: 'https://tube.example.test/' })).toEqual([]);
    expect(mediaOrigins({ ...base, MEDIA_BASE_URL: 'https://cdn.example.test/base' })).toEqual(['https://cdn.example.test']);
    expect(
      mediaOrigins({ ...base, S3_PRESIGNED_MEDIA: true, S3_BUCKET: 'clips', S3_ENDPOINT: 'https://minio.example.test:9000', S3_FORCE_PATH_STYLE: true }),
    ).toEqual(['https://minio.example.test:9000']);
    expect(mediaOrigins({ ...base, S3_PRESIGNED_MEDIA: true, S3_BUCKET: 'clips', S3_REGION: 'eu-west-1' })).toEqual([
      'https://clips.s3.eu-west-1.amazonaws.com',
      'https://s3.eu-west-1.amazonaws.com',
    ]);
  });
});
