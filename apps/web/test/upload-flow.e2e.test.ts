/**
 * The upload page in Chromium against the real server: the upload starts the moment a file is chosen, the title
 * and channel edited while the bytes go up are saved to the video, and an upload cut off by going offline
 * continues by itself (from the server's offset) when the browser is back online.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClip, PASSWORD, signIn, startWebApp, uniqueName, type WebApp } from './support/web-app.ts';

let web: WebApp | undefined;
let workDir = '';
let clip = '';
const CHUNK_BYTES = 8 * 1024 * 1024;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-upload-flow-'));
  // Lossless noise compresses badly: about 20 MB, so three 8 MiB tus chunks, from a 2-second lavfi source.
  clip = await makeClip(workDir, 'offline-trip.mp4', { width: 640, height: 360, seconds: 2.4, incompressible: true });
  web = await startWebApp({}, { withWorker: false });
});

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('upload flow', () => {
  it('starts on choosing a file, saves the title and channel edited meanwhile, and survives going offline', async () => {
    if (!web) throw new Error('server not started');
    const { context, page } = await web.newPage({ viewport: { width: 1280, height: 900 } });
    const username = uniqueName('uploadflow');
    expect((await page.request.post('/api/v1/auth/register', { data: { username, email: `${username}@example.test`, password: PASSWORD } })).status()).toBe(
      201,
    );
    const login = (await (await page.request.post('/api/v1/auth/login', { data: { login: username, password: PASSWORD } })).json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${login.accessToken}` };
    const side = (await (
      await page.request.post('/api/v1/channels', { headers: auth, data: { handle: uniqueName('side'), name: 'Side channel' } })
    ).json()) as { id: string };
    await signIn(page, username);

    // Slow enough that the first chunk takes seconds: the details are edited, and the connection cut, mid-way.
    const network = await context.newCDPSession(page);
    await network.send('Network.enable');
    await network.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2_000_000 });

    await page.goto('/upload');
    await page.getByTestId('upload-size-limit').waitFor();
    const created = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/api/v1/videos'));
    const firstChunkStored = page.waitForResponse(
      (response) => response.request().method() === 'PATCH' && response.url().includes('/api/v1/uploads/') && response.status() === 204,
      { timeout: 30_000 },
    );
    const startedAt = Date.now();
    await page.getByTestId('file-input').setInputFiles(clip);
    // No button to press: the video is created (titled after the file, in the default channel) and the bytes go up.
    const creation = await created;
    expect(JSON.parse(creation.postData() ?? '{}')).toMatchObject({ title: 'offline-trip' });
    const videoId = ((await (await creation.response())!.json()) as { id: string }).id;
    await page.locator('[data-testid="upload-status"][data-phase="uploading"]').waitFor();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await page.getByRole('button', { name: 'Upload', exact: true }).count()).toBe(0);

    await page.getByLabel('Title (required)').fill('Renamed mid-upload');
    await page.getByLabel('Channel', { exact: true }).selectOption(side.id);
    await page.locator('[data-testid="details-save-state"][data-state="saved"]').waitFor();
    expect(await page.getByTestId('upload-status').getAttribute('data-phase')).toBe('uploading');
    await expect
      .poll(async () => {
        const video = (await (await page.request.get(`/api/v1/videos/${videoId}`, { headers: auth })).json()) as { title: string; channel: { id: string } };
        return [video.title, video.channel.id];
      })
      .toEqual(['Renamed mid-upload', side.id]);

    // Offline during the second chunk: the page says so and waits; online again, it continues without a click.
    await firstChunkStored;
    await context.setOffline(true);
    await page.locator('[data-testid="upload-status"][data-phase="offline"]').waitFor();
    expect(await page.getByTestId('upload-status').textContent()).toContain('continues when the connection returns');
    const afterReconnect: Array<{ method: string; offset: string | undefined }> = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/uploads/')) afterReconnect.push({ method: request.method(), offset: request.headers()['upload-offset'] });
    });
    await page.waitForTimeout(500);
    await context.setOffline(false);
    await page.locator('[data-testid="upload-status"][data-phase="processing"]').waitFor({ timeout: 30_000 });
    expect(afterReconnect[0]?.method).toBe('HEAD');
    const resumedPatch = afterReconnect.find((request) => request.method === 'PATCH');
    expect(Number(resumedPatch?.offset)).toBeGreaterThanOrEqual(CHUNK_BYTES);

    const video = (await (await page.request.get(`/api/v1/videos/${videoId}`, { headers: auth })).json()) as {
      title: string;
      status: string;
      channel: { id: string };
    };
    expect(video).toMatchObject({ title: 'Renamed mid-upload', channel: { id: side.id } });
    expect(video.status).not.toBe('awaiting_upload');
    await context.close();
  });
});
