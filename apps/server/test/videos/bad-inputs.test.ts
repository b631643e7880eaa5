import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, truncate, writeFile, copyFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { FAST_TRANSCODE_ENV, FFMPEG, makeVideo, tusUpload, waitFor } from '../helpers/media.ts';

const run = promisify(execFile);
let t: TestApp;
let base: string;
let dir: string;
let token: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-bad-inputs-'));
  t = await startTestApp({ ...FAST_TRANSCODE_ENV, SOURCE_MAX_WIDTH: '640', SOURCE_MAX_HEIGHT: '640', SOURCE_MAX_DURATION: '20' }, 'all', { withWorker: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  token = (await registerUser(t.app)).accessToken;
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function uploadAndWait(file: string): Promise<Video> {
  const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title: path.basename(file) } })).json();
  await tusUpload(file, { endpoint: `${base}/api/v1/uploads`, token, videoId: created.id });
  return waitFor(
    async () => {
      const video = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(token) })).json<Video>();
      return video.status === 'ready' || video.status === 'failed' ? video : undefined;
    },
    60_000,
    `${file} to finish`,
  );
}

const fixtures: Record<string, () => Promise<string>> = {
  'a text file': async () => {
    const file = path.join(dir, 'notes.mp4');
    await writeFile(file, 'These are my holiday notes, not a video.\n'.repeat(200));
    return file;
  },
  'a JPEG image': async () => {
    const file = path.join(dir, 'photo.jpg');
    await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', file]);
    return file;
  },
  'a truncated MP4': async () => {
    // The index (moov) is written at the end by default, so cutting the file in half loses it.
    const whole = await makeVideo(dir, 'whole.mp4', { seconds: 2 });
    const file = path.join(dir, 'truncated.mp4');
    await copyFile(whole, file);
    await truncate(file, Math.floor((await stat(whole)).size / 2));
    return file;
  },
  'an audio-only file': async () => {
    const file = path.join(dir, 'song.m4a');
    await run(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300', '-t', '2', '-c:a', 'aac', file]);
    return file;
  },
  'a video larger than the configured maximum': () => makeVideo(dir, 'huge.mp4', { width: 1280, height: 720, seconds: 1, audio: false }),
  'a video longer than the configured maximum': () => makeVideo(dir, 'long.mp4', { width: 64, height: 64, seconds: 25, fps: 5, audio: false }),
};

const expectedReasons: Record<string, RegExp> = {
  'a text file': /not a video/i,
  'a JPEG image': /still image|not a video|no video/i,
  'a truncated MP4': /incomplete or damaged/i,
  'an audio-only file': /no video stream/i,
  'a video larger than the configured maximum': /1280×720.*640×640/,
  'a video longer than the configured maximum': /lasts 25 seconds; the longest accepted is 20 seconds/,
};

describe('uploads that are not usable videos', () => {
  it.each(Object.keys(fixtures))('%s ends failed with a reason a person can read', async (name) => {
    const video = await uploadAndWait(await fixtures[name]!());
    expect(video.status).toBe('failed');
    expect(video.error).toMatch(expectedReasons[name]!);
    expect(video.error).not.toMatch(/ffprobe|exit code|undefined|Error:/);
    expect(video.playback).toBeNull();
    // Nothing half-written is left behind under the video's media prefix.
    expect(await t.infra.storage.list(`videos/${video.id}`)).toEqual([]);
  });

  it('a zero-byte upload fails as empty', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(token), payload: { title: 'empty' } })).json();
    const response = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '0', 'upload-metadata': `videoId ${Buffer.from(created.id).toString('base64')}`, ...bearer(token) },
    });
    expect(response.status).toBe(201);
    const video = await waitFor(async () => {
      const v = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(token) })).json<Video>();
      return v.status === 'failed' || v.status === 'ready' ? v : undefined;
    });
    expect(video.status).toBe('failed');
    expect(video.error).toBe('The file is empty');
  });

  it('the worker keeps working afterwards, and a failed video can be retried', async () => {
    const good = await uploadAndWait(await makeVideo(dir, 'good.mp4', { seconds: 2 }));
    expect(good.status).toBe('ready');

    // Retrying a failed video runs it again (and fails again, for the same readable reason).
    const bad = await uploadAndWait(await fixtures['a text file']!());
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/videos/${bad.id}/retry`, headers: bearer(token) });
    expect(retry.statusCode).toBe(200);
    expect(['queued', 'processing', 'failed']).toContain(retry.json().status);
    const again = await waitFor(async () => {
      const v = (await t.app.inject({ url: `/api/v1/videos/${bad.id}`, headers: bearer(token) })).json<Video>();
      return v.status === 'failed' ? v : undefined;
    });
    expect(again.error).toMatch(/not a video/i);
    const notFailed = await t.app.inject({ method: 'POST', url: `/api/v1/videos/${good.id}/retry`, headers: bearer(token) });
    expect(notFailed.statusCode).toBe(409);
  });

  it('keeps the bytes that were uploaded, so nothing is lost', async () => {
    const file = await fixtures['a text file']!();
    const video = await uploadAndWait(file);
    expect(video.status).toBe('failed');
    const stored = await t.infra.storage.read(`uploads/${video.id}`);
    const chunks: Buffer[] = [];
    for await (const chunk of stored!.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(await readFile(file))).toBe(true);
  });
});
