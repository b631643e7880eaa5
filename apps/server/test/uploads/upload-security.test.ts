import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { createUpload, createVideo, patchUpload, tusMetadata, tusRequest, uploadOffset } from './tus-requests.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const status = async (id: string) => await t.infra.db.selectFrom('videos').select(['status', 'source_key']).where('id', '=', id).executeTakeFirstOrThrow();
const uploadedBytes = (id: string) => readFile(path.join(t.config.mediaDir, 'uploads', id));

describe('tus upload ids', () => {
  it('acts only on the upload the URL path names and the caller owns, whatever the query string or extra segments say', async () => {
    const victim = await registerUser(t.app);
    const attacker = await registerUser(t.app);
    const victimBytes = Buffer.alloc(1000, 7);
    const victimVideo = await createVideo(t.app, victim.accessToken);
    expect((await createUpload(t.app, victim.accessToken, victimVideo, 2000)).statusCode).toBe(201);
    expect((await patchUpload(t.app, victim.accessToken, victimVideo, 0, victimBytes)).statusCode).toBe(204);

    const mine = await createVideo(t.app, attacker.accessToken);
    expect((await createUpload(t.app, attacker.accessToken, mine, 2000)).statusCode).toBe(201);

    const hostile = [
      `/api/v1/uploads/${mine}?x=/${victimVideo}`,
      `/api/v1/uploads/${mine}?/${victimVideo}`,
      `/api/v1/uploads/${mine}/${victimVideo}`,
      `/api/v1/uploads/${mine}%2F${victimVideo}`,
      `/api/v1/uploads/${mine}%2F..%2F${victimVideo}`,
      `/api/v1/uploads/${victimVideo}`,
    ];
    for (const url of hostile) {
      for (const method of ['HEAD', 'GET', 'DELETE'] as const) {
        const response = await tusRequest(t.app, method, url, attacker.accessToken);
        expect(response.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${method} ${url}`).toBeLessThan(500);
        expect(response.headers['upload-offset'], `${method} ${url}`).toBeUndefined();
      }
      const patch = await tusRequest(t.app, 'PATCH', url, attacker.accessToken, { 'upload-offset': '1000' }, Buffer.alloc(1000, 9));
      expect(patch.statusCode, `PATCH ${url}`).toBeGreaterThanOrEqual(400);
      expect(patch.statusCode, `PATCH ${url}`).toBeLessThan(500);
    }
    const refused = await tusRequest(t.app, 'HEAD', `/api/v1/uploads/${mine}?x=/${victimVideo}`, attacker.accessToken);
    expect(refused.statusCode).toBe(400);

    // The victim's upload is exactly as they left it, and the attacker's own is untouched too.
    expect(await uploadOffset(t.app, victim.accessToken, victimVideo)).toBe(1000);
    expect(await uploadedBytes(victimVideo)).toEqual(victimBytes);
    expect((await status(victimVideo)).status).toBe('awaiting_upload');
    expect(await uploadOffset(t.app, attacker.accessToken, mine)).toBe(0);
  });

  it('never deletes the source of a finished upload, not even for its owner', async () => {
    const owner = await registerUser(t.app);
    const attacker = await registerUser(t.app);
    const bytes = Buffer.alloc(500, 3);
    const video = await createVideo(t.app, owner.accessToken);
    await createUpload(t.app, owner.accessToken, video, bytes.length);
    expect((await patchUpload(t.app, owner.accessToken, video, 0, bytes)).statusCode).toBe(204);
    expect(await status(video)).toEqual({ status: 'queued', source_key: `uploads/${video}` });

    const mine = await createVideo(t.app, attacker.accessToken);
    await createUpload(t.app, attacker.accessToken, mine, 10);
    expect((await tusRequest(t.app, 'DELETE', `/api/v1/uploads/${mine}?x=/${video}`, attacker.accessToken)).statusCode).toBe(400);
    const ownDelete = await tusRequest(t.app, 'DELETE', `/api/v1/uploads/${video}`, owner.accessToken);
    expect(ownDelete.statusCode).toBe(409);
    expect(ownDelete.json().error.code).toBe('upload_finished');
    expect(await uploadedBytes(video)).toEqual(bytes);

    // An unfinished upload can still be abandoned by its owner.
    expect((await tusRequest(t.app, 'DELETE', `/api/v1/uploads/${mine}`, attacker.accessToken)).statusCode).toBe(204);
  });
});

describe('tus metadata', () => {
  it('refuses a NUL byte, a control character or invalid UTF-8 in filename/filetype with a 400, and the upload can then go through', async () => {
    const { accessToken } = await registerUser(t.app);
    const video = await createVideo(t.app, accessToken);
    const cases: Record<string, Buffer | string>[] = [
      { filename: 'clip\u0000.mp4' },
      { filename: 'line\nbreak.mp4' },
      { filetype: 'video/mp4\u0000' },
      { filename: Buffer.from([0x63, 0xff, 0xfe, 0x2e]) },
    ];
    for (const metadata of cases) {
      const response = await createUpload(t.app, accessToken, video, 4, metadata);
      expect(response.statusCode, JSON.stringify(metadata)).toBe(400);
      expect(response.json().error.code).toBe('invalid_upload_metadata');
    }
    const notBase64 = await tusRequest(t.app, 'POST', '/api/v1/uploads', accessToken, {
      'upload-length': '4',
      'upload-metadata': `${tusMetadata({ videoId: video })},filename %%%`,
    });
    expect(notBase64.statusCode).toBe(400);

    expect((await createUpload(t.app, accessToken, video, 4, { filename: 'Été à Paris.mp4' })).statusCode).toBe(201);
    expect((await patchUpload(t.app, accessToken, video, 0, Buffer.from('abcd'))).statusCode).toBe(204);
    const row = await t.infra.db.selectFrom('videos').select(['status', 'source_filename']).where('id', '=', video).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'queued', source_filename: 'Été à Paris.mp4' });
  });
});
