import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from 'pino';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  /** Where each binary came from: config, PATH or the npm package. */
  source: { ffmpeg: string; ffprobe: string };
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

function fromNpmPackage(pkg: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string | null {
  try {
    const required = createRequire(import.meta.url)(pkg) as { path?: string };
    return required.path ?? null;
  } catch {
    return null;
  }
}

/** FFMPEG_PATH/FFPROBE_PATH, else the PATH, else the binaries shipped by npm packages (fresh machines). */
export function resolveFfmpeg(config: { FFMPEG_PATH?: string | undefined; FFPROBE_PATH?: string | undefined }, logger?: Logger): FfmpegBinaries {
  const pick = (configured: string | undefined, name: string, pkg: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe') => {
    if (configured) return { path: configured, source: 'config' };
    const found = onPath(name);
    if (found) return { path: found, source: 'PATH' };
    const bundled = fromNpmPackage(pkg);
    if (bundled) return { path: bundled, source: pkg };
    return { path: name, source: 'not found' };
  };
  const ffmpeg = pick(config.FFMPEG_PATH, 'ffmpeg', '@ffmpeg-installer/ffmpeg');
  const ffprobe = pick(config.FFPROBE_PATH, 'ffprobe', '@ffprobe-installer/ffprobe');
  const binaries = { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, source: { ffmpeg: ffmpeg.source, ffprobe: ffprobe.source } };
  logger?.info({ ffmpeg: binaries.ffmpeg, ffprobe: binaries.ffprobe, source: binaries.source }, 'ffmpeg binaries');
  return binaries;
}

export { ProcessFailedError, runProcess, type RunOptions } from './process-runner.ts';
