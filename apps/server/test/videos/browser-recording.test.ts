/**
 * A WebM recorded by a real browser (Chromium's MediaRecorder, a canvas and an oscillator): no Duration, no Cues,
 * clusters of unknown size, no average frame rate and a 1 ms time base. Uploaded like any file, it ends `ready`
 * in the chunked pipeline with the length and frame rate measured from its packets; so does the same recording
 * remuxed by ffmpeg, which then declares a Duration but still no frame rate.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Video } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { countFrames, FFMPEG, FFPROBE, tusUpload, waitFor } from '../helpers/media.ts';

const run = promisify(execFile);
const RECORD_MS = 6000;
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--autoplay-policy=no-user-gesture-required',
];

let t: TestApp;
let base: string;
let dir: string;
let recording: string;
let remuxed: string;

/** Records RECORD_MS of an animated canvas and a tone with MediaRecorder, as a web app's "record" button does. */
async function recordInChromium(): Promise<Buffer> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    const base64 = await page.evaluate(async (milliseconds) => {
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      document.body.append(canvas);
      const context = canvas.getContext('2d')!;
      let frame = 0;
      const draw = () => {
        frame += 1;
        context.fillStyle = `hsl(${(frame * 7) % 360} 80% 50%)`;
        context.fillRect(0, 0, 320, 240);
      };
      const timer = setInterval(draw, 1000 / 30);
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const sink = audio.createMediaStreamDestination();
      tone.connect(sink);
      tone.start();
      const stream = new MediaStream([...canvas.captureStream(30).getVideoTracks(), ...sink.stream.getAudioTracks()]);
      const recorder = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8,opus' });
      const parts: Blob[] = [];
      recorder.ondataavailable = (event) => parts.push(event.data);
      const stopped = new Promise((resolve) => {
        recorder.onstop = resolve;
      });
      recorder.start(1000);
      await new Promise((resolve) => setTimeout(resolve, milliseconds));
      recorder.stop();
      await stopped;
      clearInterval(timer);
      const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return btoa(binary);
    }, RECORD_MS);
    return Buffer.from(base64, 'base64');
  } finally {
    await browser.close();
  }
}

/** The Duration ffmpeg wrote when it remuxed the recording (it saw every packet): the reference length. */
async function remuxedDuration(): Promise<number> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', remuxed]);
  return Number(stdout.trim());
}

/** The start of the last video packet (the recording's audio can run on past it). */
async function lastVideoPts(file: string): Promise<number> {
  const { stdout } = await run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  return Math.max(
    ...stdout
      .split('\n')
      .map((line) => Number.parseFloat(line))
      .filter(Number.isFinite),
  );
}

async function countPackets(file: string): Promise<number> {
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-count_packets',
    '-show_entries',
    'stream=nb_read_packets',
    '-of',
    'csv=p=0',
    file,
  ]);
  return Number(stdout.trim());
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tube-recording-'));
  recording = path.join(dir, 'recording.webm');
  await writeFile(recording, await recordInChromium());
  remuxed = path.join(dir, 'remuxed.webm');
  await run(FFMPEG, ['-v', 'error', '-i', recording, '-c', 'copy', remuxed]);
  t = await startTestApp(
    { TRANSCODE_MODE: 'chunked', TRANSCODE_MAX_HEIGHT: '240', X264_PRESET: 'ultrafast', SEGMENT_SECONDS: '1', CHUNK_SECONDS: '3', JOB_RETRY_DELAY: '1' },
    'all',
    { withWorker: true },
  );
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a MediaRecorder WebM', () => {
  it.each([
    ['as recorded', () => recording, /^0\/0\n0\/0\nN\/A\n$/],
    // Remuxing may give the video an average rate when the browser happened to draw at an even pace (60/1 seen).
    ['remuxed with a Duration', () => remuxed, /^(0\/0|\d+\/\d+)\n0\/0\n\d+\.\d+\n$/],
  ])(
    '%s, ends ready with its measured length and frame rate and a frame for each tick of that rate',
    async (name, fileOf, declared) => {
      const file = fileOf();
      // The average frame rate of both streams, then the duration.
      const { stdout } = await run(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration:stream=avg_frame_rate', '-of', 'csv=p=0', file]);
      expect(stdout).toMatch(declared);

      const owner = await registerUser(t.app, name === 'as recorded' ? 'recorder' : 'remuxer');
      const created = (await t.app.inject({ method: 'POST', url: '/api/v1/videos', headers: bearer(owner.accessToken), payload: { title: name } })).json<{
        id: string;
      }>();
      const sent = await tusUpload(file, { endpoint: `${base}/api/v1/uploads`, token: owner.accessToken, videoId: created.id });
      expect(sent.completed).toBe(true);
      const ready = await waitFor(
        async () => {
          const video = (await t.app.inject({ url: `/api/v1/videos/${created.id}`, headers: bearer(owner.accessToken) })).json<Video>();
          return video.status === 'ready' || video.status === 'failed' ? video : undefined;
        },
        180_000,
        'the recording to be ready',
      );
      expect(ready.status, ready.error ?? '').toBe('ready');

      const length = await remuxedDuration();
      expect(length).toBeGreaterThan(RECORD_MS / 1000 - 1.5);
      // Packet durations do not subtract the end padding of the last Opus packet (≤ 20 ms), which the muxer's Duration does.
      expect(Math.abs(ready.durationSeconds! - length)).toBeLessThanOrEqual(0.025);
      // The rate is the packets' (a canvas in a busy headless browser may run below 30 fps), not the 1 ms time base.
      const rate = ready.renditions[0]!.frameRate;
      expect(Math.abs(rate - (await countPackets(file)) / length)).toBeLessThanOrEqual(1.5);
      // A frame for each tick of that rate up to the last video frame's end (the rate is rounded, hence the slack).
      const videoEnd = (await lastVideoPts(file)) + 1 / rate;
      expect(Math.abs((await countFrames(`${base}${ready.playback!.hls}`)) - videoEnd * rate)).toBeLessThanOrEqual(2);
    },
    240_000,
  );
});
