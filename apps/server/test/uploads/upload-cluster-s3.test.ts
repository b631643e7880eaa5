import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { tusUpload, waitFor } from '../helpers/media.ts';
import { s3rverUploadDir, s3StorageEnv, startS3Server, type S3Server } from '../helpers/s3.ts';
import { baseUrl } from '../helpers/videos.ts';
import { createUpload, createVideo, patchUpload, tusRequest, uploadOffset } from './tus-requests.ts';

const MiB = 1024 * 1024;
let dir: string;
let s3: S3Server;
/** Two API nodes on one database and one bucket, as behind a load balancer. */
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-upload-cluster-'));
  s3 = await startS3Server(dir);
  a = await startTestApp(s3StorageEnv(s3), 'api');
  b = await startTestApp(s3StorageEnv(s3), 'api', { database: a.database! });
  await a.app.listen({ port: 0, host: '127.0.0.1' });
  await b.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

const storedObject = async (t: TestApp, key: string) => {
  const object = await t.infra.storage.read(key);
  return object ? Buffer.concat(await object.body.toArray()) : null;
};
const uploadRow = (videoId: string) => a.infra.db.selectFrom('uploads').selectAll().where('video_id', '=', videoId).executeTakeFirst();
const videoStatus = async (videoId: string) =>
  (await a.infra.db.selectFrom('videos').select('status').where('id', '=', videoId).executeTakeFirstOrThrow()).status;
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('tus uploads shared by the fleet (S3)', () => {
  it('completes byte-identical when every PATCH goes to the other node, with parts buffered across requests and nodes', async () => {
    const { accessToken } = await registerUser(a.app);
    const video = await createVideo(a.app, accessToken);
    const bytes = randomBytes(10 * MiB + 12_345);
    expect((await createUpload(a.app, accessToken, video, bytes.length)).statusCode).toBe(201);
    const uploadId = (await uploadRow(video))!.s3_upload_id!;
    // Chunks smaller than an S3 part, so a part is assembled from several requests handled by both nodes.
    const chunk = 2 * MiB + 1;
    for (let offset = 0, i = 0; offset < bytes.length; offset += chunk, i += 1) {
      const node = i % 2 === 0 ? b : a;
      const response = await patchUpload(node.app, accessToken, video, offset, bytes.subarray(offset, offset + chunk));
      expect(response.statusCode, `PATCH at ${offset}`).toBe(204);
      const reached = Math.min(offset + chunk, bytes.length);
      expect(Number(response.headers['upload-offset'])).toBe(reached);
      // Both nodes agree on where to resume.
      if (reached < bytes.length)
        expect([await uploadOffset(a.app, accessToken, video), await uploadOffset(b.app, accessToken, video)]).toEqual([reached, reached]);
    }
    expect(await videoStatus(video)).toBe('queued');
    expect((await storedObject(a, `uploads/${video}`))!.equals(bytes)).toBe(true);
    expect(await uploadRow(video)).toBeUndefined();
    expect(existsSync(s3rverUploadDir(s3, uploadId))).toBe(false);
    // The finished upload still answers HEAD (a client checking before it forgets the URL).
    expect(await uploadOffset(b.app, accessToken, video)).toBe(bytes.length);
    // No node kept any of it on its own disk.
    expect([...(await filesUnder(a.dataDir)), ...(await filesUnder(b.dataDir))]).toEqual([]);
  });

  it('resumes through the other node with the real tus client after the first node was left mid-way', async () => {
    const { accessToken } = await registerUser(a.app);
    const video = await createVideo(a.app, accessToken);
    const file = path.join(dir, 'resume.bin');
    const bytes = randomBytes(6 * MiB);
    await writeFile(file, bytes);
    const first = await tusUpload(file, {
      endpoint: `${baseUrl(a)}/api/v1/uploads`,
      token: accessToken,
      videoId: video,
      chunkSize: 3 * MiB,
      stopAfterBytes: 3 * MiB,
    });
    expect(first).toMatchObject({ completed: false, offset: 3 * MiB });
    const resumed = await tusUpload(file, {
      endpoint: `${baseUrl(b)}/api/v1/uploads`,
      uploadUrl: `${baseUrl(b)}/api/v1/uploads/${video}`,
      token: accessToken,
      videoId: video,
      chunkSize: 3 * MiB,
    });
    expect(resumed.completed).toBe(true);
    expect(await videoStatus(video)).toBe('queued');
    expect((await storedObject(b, `uploads/${video}`))!.equals(bytes)).toBe(true);
  });

  it('lets only one node write an upload at a time: a concurrent PATCH on the other node is refused with 423 and changes nothing', async () => {
    const { accessToken } = await registerUser(a.app);
    const video = await createVideo(a.app, accessToken);
    await createUpload(a.app, accessToken, video, 100_000);
    const first = Buffer.alloc(1000, 1);
    const second = Buffer.alloc(1000, 2);
    // A client on node a that sends half its body, then stalls for longer than a lock is waited for.
    const slowBody = new Readable({ read() {} });
    slowBody.push(first);
    const slow = a.app.inject({
      method: 'PATCH',
      url: `/api/v1/uploads/${video}`,
      headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${accessToken}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      payload: slowBody,
    });
    await waitFor(async () => (await uploadRow(video))?.lock_token, 20_000, 'node a to lock the upload');
    const rival = await patchUpload(b.app, accessToken, video, 0, Buffer.alloc(2000, 9));
    expect(rival.statusCode).toBe(423);
    expect(rival.json().error.code).toBe('upload_locked');
    slowBody.push(second);
    slowBody.push(null);
    expect((await slow).statusCode).toBe(204);
    expect(await uploadOffset(b.app, accessToken, video)).toBe(2000);
    expect((await uploadRow(video))!.tail).toEqual(Buffer.concat([first, second]));
  });

  it('takes over the lock of a node that died once its lease lapses', async () => {
    const { accessToken } = await registerUser(a.app);
    const video = await createVideo(a.app, accessToken);
    await createUpload(a.app, accessToken, video, 10);
    // What a node killed mid-PATCH leaves behind: its lock, renewed no more.
    await a.infra.db
      .updateTable('uploads')
      .set({ lock_token: 'a-node-that-died', lock_expires_at: new Date(Date.now() + 1500) })
      .where('video_id', '=', video)
      .execute();
    const response = await patchUpload(b.app, accessToken, video, 0, Buffer.from('0123456789'));
    expect(response.statusCode).toBe(204);
    expect(await videoStatus(video)).toBe('queued');
  });

  it('expires an abandoned upload: the sweep aborts its multipart upload, removes its parts and frees the video for a new upload', async () => {
    const { accessToken } = await registerUser(a.app);
    const video = await createVideo(a.app, accessToken);
    await createUpload(a.app, accessToken, video, 12 * MiB);
    expect((await patchUpload(b.app, accessToken, video, 0, randomBytes(6 * MiB))).statusCode).toBe(204);
    const row = (await uploadRow(video))!;
    expect(row.parts).toHaveLength(1);
    expect(row.tail?.length).toBe(MiB);
    expect(existsSync(s3rverUploadDir(s3, row.s3_upload_id!))).toBe(true);

    // Nothing is removed before it expires...
    const sweeper = b.services.uploads;
    await sweeper.sweep();
    expect(await uploadRow(video)).toBeDefined();
    // ...and everything once it has (its creation moved back past UPLOAD_EXPIRY_SECONDS).
    await a.infra.db
      .updateTable('uploads')
      .set({ created_at: new Date(Date.now() - (a.config.UPLOAD_EXPIRY_SECONDS + 60) * 1000) })
      .where('video_id', '=', video)
      .execute();
    expect((await sweeper.sweep()).removed).toBe(1);
    expect(await uploadRow(video)).toBeUndefined();
    expect(existsSync(s3rverUploadDir(s3, row.s3_upload_id!))).toBe(false);
    expect((await tusRequest(a.app, 'HEAD', `/api/v1/uploads/${video}`, accessToken)).statusCode).toBe(404);
    expect(await videoStatus(video)).toBe('awaiting_upload');
    expect((await createUpload(a.app, accessToken, video, 10)).statusCode).toBe(201);
  });
});
