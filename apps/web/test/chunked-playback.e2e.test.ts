/**
 * Watching while the chunked pipeline is still encoding, in real Chromium (hls.js, the real web app) against the
 * real server and worker: a 12 s 720p upload in 3 chunks of 4 s (2 s segments), ladder 144p–480p (the cheap tier
 * that makes it playable) plus 720p (the expensive tier). The 720p jobs are held back in the queue so that the
 * moments in between are certain: the page plays while the video is only `playable`, lists the qualities that
 * exist, picks up 720p when its jobs are let go and the API reports it, and reaches `ready` without a reload to 0.
 *
 * Stalls: a `waiting` event on a <video> that was already playing and is not seeking. While the cheap tier is still
 * being encoded their number depends on the machine's load, so it is only reported; once the start rungs are
 * encoded, playing from the start must not wait at all, even while 720p is encoded and the player reloads for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompiledQuery } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, playPast, serverHelperUrl, signIn, startWebApp, uniqueName, type RunningTestApp, type WebApp } from './support/web-app.ts';

interface ServerMediaHelpers {
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number; fps?: number }): Promise<string>;
  tusUpload(file: string, options: { endpoint: string; token: string; videoId: string }): Promise<{ completed: boolean }>;
  waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs?: number, what?: string): Promise<T>;
}
/** The parts of the server's test app this test reaches into: the database, to hold queue jobs back. */
interface ServerInternals {
  infra: { db: { executeQuery<Row>(query: CompiledQuery<Row>): Promise<{ rows: Row[]; numAffectedRows?: bigint }> } };
}
interface VideoState {
  status: string;
  renditions: { name: string }[];
}

const CHUNKED_ENV = {
  TRANSCODE_MODE: 'chunked',
  TRANSCODE_MAX_HEIGHT: '720',
  X264_PRESET: 'ultrafast',
  SEGMENT_SECONDS: '2',
  CHUNK_SECONDS: '4',
  STORYBOARD_INTERVAL: '2',
  JOB_RETRY_DELAY: '1',
};
const LOW_RUNGS = ['144p', '240p', '360p', '480p'];
const SOURCE_SECONDS = 12;
const SEGMENT_SECONDS = Number(CHUNKED_ENV.SEGMENT_SECONDS);

/** Stalls and remounts of every <video> the page creates (the player remounts to pick up a new quality). */
const WATCH_PROBE = `(() => {
  const state = { stalls: [], elements: 0, played: new WeakSet(), seen: new WeakSet(), firstTimes: [], createdAt: [], log: [] };
  window.__watch = state;
  performance.setResourceTimingBufferSize(100000);
  new MutationObserver(() => document.querySelectorAll('video').forEach((video) => {
    if (state.seen.has(video)) return;
    state.seen.add(video);
    state.elements += 1;
    state.createdAt.push(performance.now());
    video.requestVideoFrameCallback((_now, frame) => state.firstTimes.push(Math.round(frame.mediaTime * 100) / 100));
  })).observe(document, { childList: true, subtree: true });
  document.addEventListener('playing', (event) => { state.played.add(event.target); state.log.push('playing ' + state.elements + ' at ' + event.target.currentTime.toFixed(2) + ' t=' + Math.round(performance.now())); }, true);
  for (const type of ['pause', 'play', 'ended', 'loadedmetadata', 'emptied']) document.addEventListener(type, (event) => state.log.push(type + ' ' + state.elements + ' at ' + event.target.currentTime.toFixed(2) + ' t=' + Math.round(performance.now())), true);
  document.addEventListener('seeking', (event) => state.log.push('seeking ' + state.elements + ' to ' + event.target.currentTime.toFixed(2) + ' t=' + Math.round(performance.now())), true);
  document.addEventListener('waiting', (event) => {
    const video = event.target;
    if (state.played.has(video) && !video.seeking && !video.ended) {
      state.stalls.push(Math.round(video.currentTime * 10) / 10);
      state.log.push('stall ' + state.elements + ' at ' + video.currentTime.toFixed(2) + ' buffered ' + (video.buffered.length ? video.buffered.end(video.buffered.length - 1).toFixed(2) : '-') + ' t=' + Math.round(performance.now()));
    }
  }, true);
})();`;

const watchState = (page: Page) =>
  page.evaluate(() => {
    const state = (window as unknown as { __watch: { stalls: number[]; elements: number; firstTimes: number[]; createdAt: number[]; log: string[] } }).__watch;
    return { stalls: [...state.stalls], elements: state.elements, firstTimes: [...state.firstTimes], createdAt: [...state.createdAt], log: [...state.log] };
  });

/** Media segments (`seg-<stream>-<number>.m4s`) the page requested after `since` (performance.now() time). */
const segmentsFetchedSince = (page: Page, since: number) =>
  page.evaluate(
    (after) =>
      performance
        .getEntriesByType('resource')
        .filter((entry) => entry.startTime >= after)
        .flatMap((entry) => {
          const match = /seg-(\d+)-(\d+)\.m4s/.exec(entry.name);
          return match ? [{ stream: Number(match[1]), number: Number(match[2]) }] : [];
        }),
    since,
  );

async function qualityLabels(page: Page): Promise<string[]> {
  await page.getByTestId('player').hover();
  await page.getByTestId('quality-button').click();
  const menu = page.getByTestId('quality-menu');
  const labels = (await menu.locator('[data-level]:not([data-level="-1"]) span:first-of-type').allTextContents()).sort();
  await page.keyboard.press('Escape');
  return labels;
}

let web: WebApp | undefined;
let media: ServerMediaHelpers;
let workDir = '';
let source = '';

function running(): WebApp {
  if (!web) throw new Error('server not started');
  return web;
}
/** Runs one SQL statement on the server's database (through its Kysely instance). */
const query = <Row = unknown>(text: string, params: unknown[]) =>
  (running().testApp as RunningTestApp & ServerInternals).infra.db.executeQuery(CompiledQuery.raw(text, params) as CompiledQuery<Row>);

beforeAll(async () => {
  media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-chunked-'));
  source = await media.makeVideo(workDir, 'twelve.mp4', { width: 1280, height: 720, seconds: SOURCE_SECONDS, fps: 25 });
  web = await startWebApp(CHUNKED_ENV, { withWorker: true });
}, 180_000);

afterAll(async () => {
  await web?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('watching a video while the chunked pipeline encodes it', () => {
  it('plays while playable, shows the qualities that exist, picks up 720p as it appears and never waits once the start rungs exist', async () => {
    // A small player, so the adaptive choice stays on the start rungs (capLevelToPlayerSize), as on a phone.
    const { context, page } = await running().newPage({ viewport: { width: 640, height: 720 } });
    const username = uniqueName('viewer');
    const registration = await page.request.post('/api/v1/auth/register', { data: { username, email: `${username}@example.test`, password: PASSWORD } });
    expect(registration.status()).toBe(201);
    const { accessToken } = (await registration.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    await signIn(page, username);
    await context.addInitScript(WATCH_PROBE);

    const created = await page.request.post('/api/v1/videos', { headers: auth, data: { title: 'Chunked while you watch' } });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const getVideo = async () => (await (await page.request.get(`/api/v1/videos/${id}`, { headers: auth })).json()) as VideoState;
    const tasks = async () =>
      (await query<{ task: string; status: string }>('SELECT task, status FROM transcode_tasks WHERE video_id = $1 ORDER BY task', [id])).rows;
    await media.tusUpload(source, { endpoint: `${running().baseUrl}/api/v1/uploads`, token: accessToken, videoId: id });

    // Hold the 720p tier in the queue (12 s = chunks of 2, 4, 4 and 2 s, all in the split window; the expensive
    // tier of chunk 0 is scheduled after the cheap tier of chunk 2, so none of it has started).
    await media.waitFor(async () => (await tasks()).length > 0, 60_000, 'the plan');
    const held = await query(
      `UPDATE pgboss.job SET start_after = now() + interval '30 minutes'
        WHERE name = 'video.transcode-task' AND data->>'videoId' = $1 AND data->>'task' LIKE 'video:%:high' AND state = 'created'`,
      [id],
    );
    expect(Number(held.numAffectedRows)).toBe(4);

    // Open the watch page the moment the API says playable: it plays before the video is ready.
    await media.waitFor(async () => ['playable', 'ready', 'failed'].includes((await getVideo()).status), 90_000, 'the video to become playable');
    expect((await getVideo()).status).toBe('playable');
    await page.goto(`/watch/${id}`);
    await page.getByTestId('playable-notice').waitFor();
    await playPast(page, 1, 60_000);
    expect((await getVideo()).status).toBe('playable');
    expect((await watchState(page)).firstTimes[0]).toBeLessThan(1);
    // Only the qualities that exist: the cheap tier, not 720p.
    expect(await qualityLabels(page)).toEqual([...LOW_RUNGS].sort());

    // Waits while the cheap tier catches up depend on the load; reported, not asserted.
    await media.waitFor(
      async () => {
        const rows = await tasks();
        return rows.filter((row) => row.task.endsWith(':low')).every((row) => row.status === 'done');
      },
      90_000,
      'the cheap tier to be encoded',
    );
    const whileCatchingUp = await watchState(page);
    console.log(`stalls while the start rungs were being encoded: ${whileCatchingUp.stalls.length} (at ${whileCatchingUp.stalls.join(', ') || '–'} s)`);

    // A viewer who arrives now starts at the beginning, not at the live edge of the growing EVENT playlist.
    const late = await running().newPage({ viewport: { width: 640, height: 720 } });
    await signIn(late.page, username);
    await late.context.addInitScript(WATCH_PROBE);
    await late.page.goto(`/watch/${id}`);
    await playPast(late.page, 0.5, 60_000);
    expect((await watchState(late.page)).firstTimes[0]).toBeLessThan(1);
    await late.context.close();

    // From the start again, with every start-rung segment encoded: 720p is let go while it plays, the player
    // reloads where it was when the API lists 720p, and playback never waits.
    await page.getByTestId('player-video').evaluate((video: HTMLVideoElement) => {
      video.currentTime = 0;
    });
    await page.waitForFunction(() => {
      const video = document.querySelector<HTMLVideoElement>('[data-testid=player-video]');
      return video !== null && !video.seeking && video.currentTime < 1;
    });
    // It may have reached the end of the 12 s and stopped there: play again from the start, past the first
    // segment, so that a reload that started at 0 would have to fetch a segment it does not need.
    await playPast(page, SEGMENT_SECONDS + 0.5, 60_000);
    const stallsBefore = (await watchState(page)).stalls.length;
    const elementsBefore = (await watchState(page)).elements;
    await query(
      `UPDATE pgboss.job SET start_after = now() WHERE name = 'video.transcode-task' AND data->>'videoId' = $1 AND data->>'task' LIKE 'video:%:high' AND state = 'created'`,
      [id],
    );
    await media.waitFor(async () => (await getVideo()).renditions.some((rendition) => rendition.name === '720p'), 90_000, '720p to appear in the API');
    // The player remounts (a new <video>) for the new master and resumes where it was.
    await page.waitForFunction((before) => (window as unknown as { __watch: { elements: number } }).__watch.elements > before, elementsBefore, {
      timeout: 30_000,
    });
    await page.waitForFunction(
      () => {
        const played = (window as unknown as { __watch: { played: WeakSet<Element> } }).__watch.played;
        const video = document.querySelector<HTMLVideoElement>('[data-testid=player-video]');
        return video !== null && played.has(video) && !video.seeking;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect(await qualityLabels(page)).toEqual([...LOW_RUNGS, '720p'].sort());
    const resumedAt = await page.getByTestId('player-video').evaluate((video: HTMLVideoElement) => video.currentTime);
    expect(resumedAt, (await watchState(page)).log.join('\n')).toBeGreaterThan(0.5);
    // hls.js was handed the position: the new element fetched no segment that ends before its first frame.
    const reloaded = await watchState(page);
    const resumedFrom = reloaded.firstTimes.at(-1)!;
    expect(resumedFrom, reloaded.log.join('\n')).toBeGreaterThan(SEGMENT_SECONDS);
    const fetched = await segmentsFetchedSince(page, reloaded.createdAt.at(-1)!);
    expect(fetched.length).toBeGreaterThan(0);
    const wasted = fetched.filter((segment) => segment.number * SEGMENT_SECONDS <= resumedFrom - 0.1);
    expect(wasted, `resumed at ${resumedFrom} s; fetched ${JSON.stringify(fetched)}`).toEqual([]);
    await media.waitFor(async () => (await getVideo()).status === 'ready', 90_000, 'the video to be ready');
    await playPast(page, Math.min(SOURCE_SECONDS - 1, resumedAt + 4), 60_000);
    const after = await watchState(page);
    // A wait in the last half second is the end of the stream (audio a little longer than video; end-of-stream.ts).
    const waitsForPictures = after.stalls.slice(stallsBefore).filter((position) => position < SOURCE_SECONDS - 0.5);
    expect(waitsForPictures, after.log.join('\n')).toEqual([]);
    await context.close();
  }, 300_000);
});
