import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Sets the CPU niceness of a running process. Linux keeps a niceness per thread, and a process's threads
 * (ffmpeg's decoder and encoder threads) started before the change keep their own, so every thread listed in
 * `/proc/<pid>/task` is changed. False when the process is gone or the system refuses (lowering the niceness
 * needs CAP_SYS_NICE).
 */
export function reniceProcess(pid: number, nice: number): boolean {
  let threads: number[];
  try {
    threads = readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    threads = [pid];
  }
  let ok = true;
  for (const thread of threads) {
    try {
      setPriority(thread, nice);
    } catch {
      ok = false;
    }
  }
  return ok;
}
