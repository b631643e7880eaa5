import type { App } from '../../src/http/app-types.ts';
import { bearer } from '../helpers/app.ts';

/** Raw tus 1.0 requests through `app.inject`, for tests that need to send what a real client would not. */
export function tusRequest(
  app: App,
  method: 'POST' | 'HEAD' | 'GET' | 'PATCH' | 'DELETE' | 'OPTIONS',
  url: string,
  token: string | null,
  headers: Record<string, string> = {},
  body?: Buffer,
) {
  return app.inject({
    method,
    url,
    headers: {
      'tus-resumable': '1.0.0',
      ...(token ? bearer(token) : {}),
      ...(body ? { 'content-type': 'application/offset+octet-stream' } : {}),
      ...headers,
    },
    ...(body ? { payload: body } : {}),
  });
}

export const tusMetadata = (fields: Record<string, string | Buffer>) =>
  Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');

export async function createVideo(app: App, token: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title: 'Upload test' } });
  if (response.statusCode !== 201) throw new Error(`create video failed: ${response.statusCode} ${response.body}`);
  return response.json<{ id: string }>().id;
}

/** Creates the tus upload of a video (known length unless `deferred`) and returns the creation response. */
export function createUpload(app: App, token: string, videoId: string, length: number | 'deferred', metadata: Record<string, string | Buffer> = {}) {
  return tusRequest(app, 'POST', '/api/v1/uploads', token, {
    ...(length === 'deferred' ? { 'upload-defer-length': '1' } : { 'upload-length': String(length) }),
    'upload-metadata': tusMetadata({ videoId, filename: 'clip.mp4', filetype: 'video/mp4', ...metadata }),
  });
}

export function patchUpload(app: App, token: string, videoId: string, offset: number, bytes: Buffer, headers: Record<string, string> = {}) {
  return tusRequest(app, 'PATCH', `/api/v1/uploads/${videoId}`, token, { 'upload-offset': String(offset), ...headers }, bytes);
}

export async function uploadOffset(app: App, token: string, videoId: string): Promise<number> {
  const response = await tusRequest(app, 'HEAD', `/api/v1/uploads/${videoId}`, token);
  if (response.statusCode !== 200) throw new Error(`HEAD failed: ${response.statusCode}`);
  return Number(response.headers['upload-offset']);
}
