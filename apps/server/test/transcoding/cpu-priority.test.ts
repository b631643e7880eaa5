import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { processNice } from '../helpers/processes.ts';
import { reniceProcess } from '../../src/infra/ffmpeg/process-priority.ts';
import { runProcess } from '../../src/infra/ffmpeg/ffmpeg.ts';
import { BACKGROUND_NICE, CpuPriorities, rankTasks } from '../../src/transcoding/chunked/cpu-priority.ts';

describe('rankTasks', () => {
  it('ranks start-rung tasks first, then the highest priorities, the earlier task first among equals', () => {
    const running = [
      { id: 1, startRungs: true, priority: 10 },
      { id: 2, startRungs: false, priority: 30 },
      { id: 3, startRungs: false, priority: 30 },
      { id: 4, startRungs: true, priority: 20 },
      { id: 5, startRungs: false, priority: 40 },
    ];
    expect(rankTasks(running)).toEqual([4, 1, 5, 2, 3]);
    expect(rankTasks([])).toEqual([]);
  });
});

describe('CpuPriorities', () => {
  const recorder = (allowRaise = true) => {
    const calls: [number, number][] = [];
    const renice = (pid: number, nice: number) => {
      calls.push([pid, nice]);
      return allowRaise || nice > 0;
    };
    return { calls, renice };
  };

  it('runs the first task in front and the next one behind; raises it when the first ends', () => {
    const { calls, renice } = recorder();
    const cpu = new CpuPriorities(1, renice);
    const first = cpu.enter({ startRungs: true, priority: 100 });
    expect(first.nice).toBe(0);
    const second = cpu.enter({ startRungs: true, priority: 90 });
    expect(second.nice).toBe(BACKGROUND_NICE);
    second.adopt(4242);
    first.leave();
    expect(calls).toEqual([[4242, 0]]);
    expect(second.nice).toBe(0);
    // Only the first had a foreground place all along: its wall time measures the worker's speed.
    expect(first.inFrontThroughout).toBe(true);
    expect(second.inFrontThroughout).toBe(false);
  });

  it('remembers that a task was sent behind, even once it is in front again', () => {
    const { renice } = recorder();
    const cpu = new CpuPriorities(1, renice);
    const later = cpu.enter({ startRungs: true, priority: 50 });
    const urgent = cpu.enter({ startRungs: true, priority: 500 });
    urgent.leave();
    expect(later.nice).toBe(0);
    expect(later.inFrontThroughout).toBe(false);
    expect(urgent.inFrontThroughout).toBe(true);
  });

  it('sends a running task behind when a more urgent one arrives, and forgets processes that exited', () => {
    const { calls, renice } = recorder();
    const cpu = new CpuPriorities(1, renice);
    const later = cpu.enter({ startRungs: true, priority: 50 });
    const exited = later.adopt(1001);
    later.adopt(1002);
    exited();
    const urgent = cpu.enter({ startRungs: true, priority: 500 });
    expect(urgent.nice).toBe(0);
    expect(later.nice).toBe(BACKGROUND_NICE);
    expect(calls).toEqual([[1002, BACKGROUND_NICE]]);
  });

  it('puts a start-rung task in front of a higher-rung one that was queued before it', () => {
    const { calls, renice } = recorder();
    const cpu = new CpuPriorities(1, renice);
    const hd = cpu.enter({ startRungs: false, priority: 900 });
    hd.adopt(31);
    expect(hd.nice).toBe(0);
    const next = cpu.enter({ startRungs: true, priority: 800 });
    expect(next.nice).toBe(0);
    expect(hd.nice).toBe(BACKGROUND_NICE);
    expect(calls).toEqual([[31, BACKGROUND_NICE]]);
  });

  it('keeps a task behind when the system refuses to raise it (no CAP_SYS_NICE)', () => {
    const { renice } = recorder(false);
    const cpu = new CpuPriorities(1, renice);
    const first = cpu.enter({ startRungs: true, priority: 100 });
    const second = cpu.enter({ startRungs: true, priority: 90 });
    second.adopt(7);
    first.leave();
    expect(second.nice).toBe(BACKGROUND_NICE);
    // Its next process starts where it is; a new task takes the free foreground place.
    const third = cpu.enter({ startRungs: true, priority: 10 });
    expect(third.nice).toBe(0);
    expect(cpu.enter({ startRungs: true, priority: 5 }).nice).toBe(BACKGROUND_NICE);
  });
});

describe.runIf(process.platform === 'linux')('process niceness', () => {
  it('starts a child at the niceness asked for and reports its pid', async () => {
    let seen = 0;
    let exitedCalled = false;
    const output = await runProcess('sh', ['-c', 'nice'], {
      nice: 7,
      onSpawn: (pid) => {
        seen = pid;
        return () => {
          exitedCalled = true;
        };
      },
    });
    expect(output.trim()).toBe('7');
    expect(seen).toBeGreaterThan(0);
    expect(exitedCalled).toBe(true);
  });

  it('gives a child started at a niceness the same niceness for its session, where the kernel schedules by autogroup', async () => {
    if ((await readFile('/proc/self/autogroup', 'utf8').catch(() => null)) === null) return;
    // Read a moment after the start: the autogroup is set just after the spawn.
    const output = await runProcess('sh', ['-c', 'sleep 0.3; cat /proc/self/autogroup'], { nice: 9 });
    expect(output).toMatch(/ nice 9\s*$/);
    expect(await runProcess('sh', ['-c', 'sleep 0.3; cat /proc/self/autogroup'])).toMatch(/ nice 0\s*$/);
  });

  it('renices every thread of a running process', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
    try {
      expect(await processNice(child.pid!)).toBe(0);
      expect(reniceProcess(child.pid!, 12)).toBe(true);
      expect(await processNice(child.pid!)).toBe(12);
      // Its session's autogroup too, where the kernel schedules by autogroup.
      const autogroup = await readFile(`/proc/${child.pid}/autogroup`, 'utf8').catch(() => null);
      if (autogroup !== null) expect(autogroup).toMatch(/ nice 12\s*$/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
