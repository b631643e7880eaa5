import { stat } from 'node:fs/promises';
import {
  allPacketsArgs,
  checkSourceLimits,
  InvalidSourceError,
  packetListingArgs,
  parseProbe,
  probeArgs,
  type SourceInfo,
  type SourceLimits,
} from '@tube/ladder';
import { ProcessFailedError } from '../infra/ffmpeg/ffmpeg.ts';

/** Runs ffprobe with these arguments and returns its stdout. */
export type RunFfprobe = (args: string[]) => Promise<string>;

/** Why ffprobe could not read a file, in words for the uploader. */
export function describeUnreadableSource(error: unknown): string {
  const detail = error instanceof ProcessFailedError ? error.stderrTail : String(error);
  if (/moov atom not found/i.test(detail)) return 'The file is incomplete or damaged (its index is missing); upload it again';
  if (/Invalid data found/i.test(detail)) return 'This file is not a video Tube can read';
  if (/does not contain any stream|Output file #0 does not contain/i.test(detail)) return 'The file has no video stream';
  return 'This file could not be read as a video';
}

/** The packets `args` lists (demuxed only); every packet when the seek to the tail fails or finds none. */
async function listPackets(ffprobe: RunFfprobe, args: string[], file: string): Promise<string> {
  const everyPacket = allPacketsArgs(file);
  if (args.join('\0') !== everyPacket.join('\0')) {
    try {
      const tail = await ffprobe(args);
      if (tail.trim() !== '') return tail;
    } catch (error) {
      if (!(error instanceof ProcessFailedError)) throw error;
    }
  }
  try {
    return await ffprobe(everyPacket);
  } catch (error) {
    if (error instanceof ProcessFailedError) throw new InvalidSourceError(describeUnreadableSource(error));
    throw error;
  }
}

/** What the whole uploaded file holds, with the duration and frame rate measured from its packets when it omits them. */
export async function probeSource(ffprobe: RunFfprobe, file: string, limits: SourceLimits): Promise<SourceInfo> {
  const { size } = await stat(file);
  if (size === 0) throw new InvalidSourceError('The file is empty');
  let output: string;
  try {
    output = await ffprobe(probeArgs(file));
  } catch (error) {
    if (error instanceof ProcessFailedError) throw new InvalidSourceError(describeUnreadableSource(error));
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(output);
  } catch {
    throw new InvalidSourceError('This file could not be read as a video');
  }
  const listing = packetListingArgs(json, file);
  const info = parseProbe(json, listing ? await listPackets(ffprobe, listing, file) : undefined);
  checkSourceLimits(info, limits);
  return info;
}
