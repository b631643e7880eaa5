import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/infra/ffmpeg/ffmpeg.ts';

const run = promisify(execFile);
const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

describe('choosing the ffmpeg binaries', () => {
  it('prefers FFMPEG_PATH/FFPROBE_PATH', () => {
    expect(resolveFfmpeg({ FFMPEG_PATH: '/opt/ff/ffmpeg', FFPROBE_PATH: '/opt/ff/ffprobe' })).toEqual({
      ffmpeg: '/opt/ff/ffmpeg',
      ffprobe: '/opt/ff/ffprobe',
      source: { ffmpeg: 'config', ffprobe: 'config' },
    });
  });

  it('then the PATH', () => {
    const found = resolveFfmpeg({});
    expect(found.source).toEqual({ ffmpeg: 'PATH', ffprobe: 'PATH' });
    expect(found.ffmpeg).toMatch(/\/ffmpeg$/);
  });

  it('falls back to the binaries shipped by npm packages on a machine without ffmpeg, and they run', async () => {
    process.env.PATH = '/nonexistent';
    const found = resolveFfmpeg({});
    expect(found.source).toEqual({ ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' });
    const { stdout } = await run(found.ffprobe, ['-version']);
    expect(stdout).toMatch(/^ffprobe version/);
  });
});
