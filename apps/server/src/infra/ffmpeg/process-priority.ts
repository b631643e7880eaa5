import { readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Sets the CPU niceness of a running process. Linux keeps a niceness per thread, and a process's threads
 * (ffmpeg's decoder and encoder threads) started before the change keep their own, so every thread listed in
 * `/proc/<pid>/task` is changed. And with autogroup scheduling (the default on desktop and most server kernels)
 * the niceness of threads only weighs against other threads of the same session: a child started in a session of
 * its own (`detached`, as `runProcess` starts them) competes with other sessions by its autogroup's niceness, so
 * that is set too. False when the process is gone or the system refuses (lowering the niceness needs
 * CAP_SYS_NICE).
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
  return setSessionNice(pid, nice) && ok;
}

/**
 * Sets the niceness of the autogroup of the session `pid` leads (see above): a child started in a session of its
 * own at a niceness (`nice -n`) needs it too, or its threads' niceness weighs only against each other.
 */
export function setSessionNice(pid: number, nice: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
    return true;
  } catch (error) {
    // No autogroup scheduling (no such file) leaves the thread niceness, which then weighs on its own.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
