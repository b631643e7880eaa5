/**
 * The transcoding benchmarks' source: a camera-like file made from lavfi (a moving picture with sensor-like
 * noise, H.264 High with B-frames at 12 Mbit/s, keyframes every 2 s, AAC, `moov` first). Kept in `dir` and
 * reused when it is already there (BENCH_SOURCE_DIR), since a 10-minute 1080p one takes ~10 minutes to make.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';

const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`))));
  });
}

export async function makeCameraSource(dir: string, seconds: number, height: number): Promise<string> {
  const file = path.join(dir, `camera-${seconds}s-${height}p.mp4`);
  const made = await stat(file).then(
    (found) => found.size > 0,
    () => false,
  );
  if (made) return file;
  const width = Math.round((height * 16) / 9 / 2) * 2;
  await run(FFMPEG, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30,noise=alls=12:allf=t`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(seconds)],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p'],
    ...['-b:v', '12M', '-maxrate', '12M', '-bufsize', '24M', '-g', '60'],
    ...['-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', file],
  ]);
  return file;
}
