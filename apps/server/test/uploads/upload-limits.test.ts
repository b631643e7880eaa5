import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { createUpload, createVideo, patchUpload, tusRequest, uploadOffset } from './tus-requests.ts';

const MAX_BYTES = 10_000;
const QUOTA_BYTES = 15_000;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ UPLOAD_MAX_BYTES: String(MAX_BYTES), USER_UPLOAD_QUOTA_BYTES: String(QUOTA_BYTES) });
});
afterAll(async () => {
  await t?.close();
});

const storedBytes = async (videoId: string) => (await stat(path.join(t.config.mediaDir, 'uploads', videoId)).catch(() => ({ size: 0 }))).size;

/** A PATCH whose body is streamed without Content-Length (chunked), as a client that does not know the size sends it. */
function patchStreamed(token: string, videoId: string, offset: number, bytes: Buffer) {
  return t.app.inject({
    method: 'PATCH',
    url: `/api/v1/uploads/${videoId}`,
    headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    payload: Readable.from([bytes.subarray(0, 4000), bytes.subarray(4000)]),
  });
}

describe('upload size limit with a deferred length', () => {
  it('refuses a PATCH that would take the upload past UPLOAD_MAX_BYTES with a readable 413, storing nothing', async () => {
    const { accessToken } = await registerUser(t.app);
    const video = await createVideo(t.app, accessToken);
    expect((await createUpload(t.app, accessToken, video, 'deferred')).statusCode).toBe(201);
    const refused = await patchUpload(t.app, accessToken, video, 0, Buffer.alloc(MAX_BYTES + 1, 1));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({ code: 'upload_too_large', message: expect.stringContaining('largest') });
    expect(await uploadOffset(t.app, accessToken, video)).toBe(0);
    expect(await storedBytes(video)).toBe(0);
  });

  it('stops a streamed body without Content-Length at the limit: never more than UPLOAD_MAX_BYTES stored', async () => {
    const { accessToken } = await registerUser(t.app);
    const video = await createVideo(t.app, accessToken);
    await createUpload(t.app, accessToken, video, 'deferred');
    const refused = await patchStreamed(accessToken, video, 0, Buffer.alloc(MAX_BYTES + 2000, 2));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error.code).toBe('upload_too_large');
    const offset = await uploadOffset(t.app, accessToken, video);
    expect(offset).toBeLessThanOrEqual(MAX_BYTES);
    expect(await storedBytes(video)).toBe(offset);
  });
});

describe('per-user quota counts uploads in progress', () => {
  it('refuses bytes of a deferred-length upload beyond what the quota has left after the other upload in progress', async () => {
    const { accessToken } = await registerUser(t.app);
    const first = await createVideo(t.app, accessToken);
    await createUpload(t.app, accessToken, first, 'deferred');
    expect((await patchUpload(t.app, accessToken, first, 0, Buffer.alloc(8000, 1))).statusCode).toBe(204);

    const second = await createVideo(t.app, accessToken);
    expect((await createUpload(t.app, accessToken, second, 'deferred')).statusCode).toBe(201);
    const refused = await patchUpload(t.app, accessToken, second, 0, Buffer.alloc(8000, 2));
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({ code: 'quota_exceeded', message: expect.stringContaining('would exceed your quota') });
    expect(await storedBytes(second)).toBe(0);
    // What is left still fits, and a streamed body is cut where the quota ends.
    expect((await patchUpload(t.app, accessToken, second, 0, Buffer.alloc(7000, 2))).statusCode).toBe(204);
    expect((await patchStreamed(accessToken, second, 7000, Buffer.alloc(5000, 3))).statusCode).toBe(413);
    expect(await uploadOffset(t.app, accessToken, second)).toBe(7000);
    expect(await storedBytes(second)).toBe(7000);
  });

  it('lets only one of two uploads created at the same moment reserve the same room', async () => {
    const { accessToken } = await registerUser(t.app);
    const videos = await Promise.all([createVideo(t.app, accessToken), createVideo(t.app, accessToken), createVideo(t.app, accessToken)]);
    const responses = await Promise.all(videos.map((video) => createUpload(t.app, accessToken, video, 6000)));
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, 201, 413]);
    expect(responses.find((response) => response.statusCode === 413)!.json().error.code).toBe('quota_exceeded');
  });

  it('gives the reservation back when an unfinished upload is abandoned with DELETE', async () => {
    const { accessToken } = await registerUser(t.app);
    const [first, second] = [await createVideo(t.app, accessToken), await createVideo(t.app, accessToken)];
    expect((await createUpload(t.app, accessToken, first, 9000)).statusCode).toBe(201);
    expect((await createUpload(t.app, accessToken, second, 9000)).statusCode).toBe(413);
    expect((await tusRequest(t.app, 'DELETE', `/api/v1/uploads/${first}`, accessToken)).statusCode).toBe(204);
    expect((await createUpload(t.app, accessToken, second, 9000)).statusCode).toBe(201);
  });
});
