import { hostname } from 'node:os';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { removeStaleScratch } from '../../infra/scratch.ts';
import type { ChunkedRepository } from './chunked.repository.ts';

/**
 * Scratch of the chunked pipeline under `DATA_DIR/work`, and how to tell whether its owner still runs:
 *   `sources-<host>:<pid>`                      a worker process's cache of downloaded sources;
 *   `<videoId>-<task>-<first 8 of the claim>`   one task attempt's ffmpeg output (`video:3:low` → `video-3-low`).
 */
export const SOURCE_CACHE_PREFIX = 'sources-';
const SOURCE_CACHE_NAME = /^sources-(.+):(\d+)$/;
const TASK_SCRATCH_NAME = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(video-\d+-(?:low|high|all)|audio|thumbnails)-([0-9a-f]{8})$/;

export const sourceCacheDirName = (workerName: string) => `${SOURCE_CACHE_PREFIX}${workerName}`;
export const taskScratchName = (videoId: string, task: string, token: string) => `${videoId}-${task.replaceAll(':', '-')}-${token.slice(0, 8)}`;

/** Whether a process with this pid runs on this machine (EPERM: it runs, under another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Which source caches belong to a live process. A cache of another machine (a DATA_DIR on a shared disk) is
 * kept: its pid means nothing here. A pid reused by an unrelated process keeps a dead cache until that
 * process ends, which only delays the clean-up.
 */
export function liveSourceCaches(names: readonly string[], host: string, runs: (pid: number) => boolean = processRuns): Set<string> {
  return new Set(
    names.filter((name) => {
      const match = SOURCE_CACHE_NAME.exec(name);
      if (!match) return true;
      return match[1] !== host || runs(Number(match[2]));
    }),
  );
}

/**
 * Removes what killed workers left under `DATA_DIR/work`: source caches of processes that no longer run, and
 * task scratch whose task is not running under that claim with a fresh heartbeat. Runs at every worker's start
 * (and with every reaper pass after), so a crash-looping worker cannot fill the disk with source copies.
 */
export async function removeStaleChunkScratch(repo: ChunkedRepository, config: Pick<Config, 'dataDir' | 'JOB_LEASE_SECONDS'>): Promise<string[]> {
  const root = path.join(config.dataDir, 'work');
  const host = hostname();
  const sources = await removeStaleScratch(root, SOURCE_CACHE_NAME, async (names) => liveSourceCaches(names, host));
  const tasks = await removeStaleScratch(root, TASK_SCRATCH_NAME, async (names) => {
    const ids = [...new Set(names.map((name) => TASK_SCRATCH_NAME.exec(name)![1]!))];
    const claims = await repo.liveTaskClaims(ids, config.JOB_LEASE_SECONDS);
    return new Set(claims.flatMap((claim) => (claim.worker_token ? [taskScratchName(claim.video_id, claim.task, claim.worker_token)] : [])));
  });
  return [...sources, ...tasks];
}
