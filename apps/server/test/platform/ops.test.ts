import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.close());

describe('operations endpoints', () => {
  it('healthz answers while the process is up; readyz checks database, cache and storage', async () => {
    expect((await api.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await api.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, cache: { ok: true }, storage: { ok: true } } });
  });

  it('exposes Prometheus metrics, including request durations by route', async () => {
    await api.app.inject({ url: '/healthz' });
    const metrics = await api.app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(/tube_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(metrics.body).toContain('process_cpu_seconds_total');
    // Each route, method and status has its own series; requests no route matched are `unmatched`.
    await api.app.inject({ method: 'HEAD', url: '/healthz' });
    await api.app.inject({ url: '/api/v1/nothing-here' });
    await api.app.inject({ url: '/api/v1/videos/not-a-uuid' });
    const after = (await api.app.inject({ url: '/metrics' })).body;
    expect(after).toMatch(/tube_http_request_duration_seconds_count\{method="HEAD",route="\/healthz",status="200"\} 1\n/);
    expect(after).toMatch(/tube_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} [1-9]/);
    expect(after).toMatch(/tube_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/videos\/:id",status="400"\} 1\n/);
    expect(metrics.body).toContain('tube_videos{status="queued"} 0');
    expect(metrics.body).toContain('tube_videos{status="failed"} 0');
  });

  it('echoes or assigns a request id', async () => {
    const given = await api.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const assigned = await api.app.inject({ url: '/healthz' });
    expect(assigned.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const more = await Promise.all([1, 2, 3].map(() => api.app.inject({ url: '/healthz' })));
    const ids = new Set([assigned, ...more].map((response) => response.headers['x-request-id']));
    expect(ids.size).toBe(4);
  });

  it('publishes an OpenAPI 3.1 document built from the route schemas, and a docs page', async () => {
    const doc = (await api.app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/users/me']));
    expect(doc.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema.required).toEqual(['username', 'email', 'password']);
    const docs = await api.app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('answers unknown API routes with the error shape', async () => {
    const response = await api.app.inject({ url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/v1/nothing-here' } });
  });
});

describe('readiness when a dependency is down', () => {
  it('reports 503 and names the failing check', async () => {
    const broken = await startTestApp({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'nowhere',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'x',
      S3_SECRET_ACCESS_KEY: 'y',
    });
    try {
      const ready = await broken.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      const body = ready.json();
      expect(body.status).toBe('not_ready');
      expect(body.checks.database).toEqual({ ok: true });
      expect(body.checks.storage.ok).toBe(false);
      expect(body.checks.storage.error).toEqual(expect.any(String));
    } finally {
      await broken.close();
    }
  });
});

describe('roles', () => {
  it('a worker process serves health and metrics but no API', async () => {
    const worker = await startTestApp({}, 'worker');
    try {
      expect((await worker.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await worker.app.inject({ url: '/metrics' })).statusCode).toBe(200);
      expect((await worker.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'x', password: 'y' } })).statusCode).toBe(404);
    } finally {
      await worker.close();
    }
  });
});
