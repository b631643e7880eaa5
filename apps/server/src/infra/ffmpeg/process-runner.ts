import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setSessionNice } from './process-priority.ts';

/**
 * Runs ffmpeg/ffprobe (or any helper binary) so that it never outlives the process that started it:
 * - each child runs in its own process group, and every group still running is killed when this process exits;
 * - a parent-death guard: through `setpriv --pdeathsig KILL` (util-linux, on every Debian/Ubuntu) the kernel kills
 *   the child the moment its parent dies, even by SIGKILL or OOM, when no exit handler runs;
 * - an abort (shutdown, a lost claim) stops the child and settles only once it has exited, so a caller that
 *   awaits the run knows nothing is still writing into its scratch directory.
 */
export class ProcessFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string,
  ) {
    super(`${path.basename(command)} exited with ${signal ?? exitCode}: ${stderrTail.split('\n').filter(Boolean).slice(-3).join(' | ')}`);
  }
}

export interface RunOptions {
  /** Called with each chunk of stdout (ffmpeg's `-progress pipe:1`); without it, stdout is collected and returned. */
  onStdout?: (chunk: string) => void;
  /** Aborting sends SIGTERM to the child's group, SIGKILL after `killGraceMs`; the run rejects once it has exited. */
  signal?: AbortSignal;
  killGraceMs?: number;
  /** Start the child at this CPU niceness (through `nice`, so every thread it starts inherits it; its session's autogroup too). */
  nice?: number;
  /** Called with the child's pid once it runs; the function it returns, once it has exited. */
  onSpawn?: (pid: number) => () => void;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
let guard: string[] | null | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
}

/** `setpriv --pdeathsig KILL --` when this system has a setpriv that supports it (checked once), else nothing. */
export function parentDeathGuard(): string[] | null {
  if (guard !== undefined) return guard;
  if (process.platform !== 'linux') {
    guard = null;
    return guard;
  }
  const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5000 });
  guard = probe.status === 0 ? ['setpriv', '--pdeathsig', 'KILL', '--'] : null;
  return guard;
}

/** Pids of the children this process is running now (for tests and diagnostics). */
export function runningChildren(): number[] {
  return [...running].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/** Runs a binary to completion, keeping the end of stderr for error messages; returns stdout. */
export function runProcess(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  installExitHook();
  const wrapper = parentDeathGuard();
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason);
      return;
    }
    const niced = options.nice ? ['nice', '-n', String(options.nice), command, ...args] : [command, ...args];
    const [file, argv] = wrapper ? [wrapper[0]!, [...wrapper.slice(1), ...niced]] : [niced[0]!, niced.slice(1)];
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    if (options.nice && child.pid !== undefined) setSessionNice(child.pid, options.nice);
    const exited = child.pid !== undefined && options.onSpawn ? options.onSpawn(child.pid) : undefined;
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), options.killGraceMs ?? 2000);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (options.onStdout) options.onStdout(chunk);
      else stdout += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    const settle = () => {
      running.delete(child);
      exited?.();
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error) => {
      settle();
      reject(error);
    });
    child.once('close', (code, signal) => {
      settle();
      if (options.signal?.aborted) reject(options.signal.reason);
      else if (code === 0) resolve(stdout);
      else reject(new ProcessFailedError(command, code, signal, stderr));
    });
  });
}
