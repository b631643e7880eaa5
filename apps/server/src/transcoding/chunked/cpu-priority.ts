/**
 * One ffmpeg keeps only part of a machine busy (on the 2-core machine of issue #12, ~1.3 cores for a 1080p
 * ladder: the decoder and the filter graph do not spread over every core), so a worker with one task slot leaves
 * cores idle, and a worker with two slots makes the task a viewer waits for share the CPU with one nobody waits
 * for. Instead, the tasks a worker runs at once are ranked — the ones that extend the start rungs (what a viewer
 * plays) before the others (higher rungs, thumbnails), then by queue priority — and the first `foregroundSlots`
 * run at normal CPU priority, the others at `BACKGROUND_NICE`, so they only get the cycles the foreground leaves
 * idle. When a foreground task ends, the next in rank is raised to the foreground.
 */
export const BACKGROUND_NICE = 10;

export interface RunningTask {
  id: number;
  /** It extends the start rungs: a viewer may be waiting for it. */
  startRungs: boolean;
  /** pg-boss priority: higher runs first. */
  priority: number;
}

/**
 * Running tasks in rank order: start-rung tasks first, then the highest priority, the earlier-started (lower
 * `id`) first among equals.
 */
export function rankTasks(running: readonly RunningTask[]): number[] {
  return [...running].sort((a, b) => Number(b.startRungs) - Number(a.startRungs) || b.priority - a.priority || a.id - b.id).map((task) => task.id);
}

/** Sets the CPU niceness of a running process (every thread); false when the system refuses. */
export type Renice = (pid: number, nice: number) => boolean;

/** A task's share of this worker's CPU: the niceness its next process starts at, and its running processes. */
export interface TaskCpu {
  /** The niceness a process started now for this task gets. */
  readonly nice: number;
  /** Tells the arbiter about a process of this task (reniced when the task changes rank), until it exits. */
  adopt(pid: number): () => void;
  /** Whether the task has had a foreground place from its start until now (its wall time is its own speed). */
  readonly inFrontThroughout: boolean;
  /** The task is over: the next in rank may take its place in the foreground. */
  leave(): void;
}

export class CpuPriorities {
  private nextId = 1;
  private readonly tasks = new Map<number, { startRungs: boolean; priority: number; nice: number; pids: Set<number>; wasBehind: boolean }>();

  constructor(
    private readonly foregroundSlots: number,
    private readonly renice: Renice,
  ) {}

  enter(task: Omit<RunningTask, 'id'>): TaskCpu {
    const id = this.nextId++;
    const entry = { ...task, nice: BACKGROUND_NICE, pids: new Set<number>(), wasBehind: false };
    this.tasks.set(id, entry);
    this.rerank();
    return {
      get nice() {
        return entry.nice;
      },
      get inFrontThroughout() {
        return !entry.wasBehind;
      },
      adopt: (pid) => {
        // Started at its niceness (`runProcess`'s `nice`); reniced from now on when the task changes rank.
        entry.pids.add(pid);
        return () => entry.pids.delete(pid);
      },
      leave: () => {
        this.tasks.delete(id);
        this.rerank();
      },
    };
  }

  /**
   * The first `foregroundSlots` tasks in rank order run at normal priority. A task that cannot be raised (no
   * CAP_SYS_NICE) stays behind without taking a foreground place, so a task started after it still gets one.
   */
  private rerank(): void {
    let free = this.foregroundSlots;
    for (const id of rankTasks([...this.tasks].map(([taskId, task]) => ({ id: taskId, startRungs: task.startRungs, priority: task.priority })))) {
      const task = this.tasks.get(id)!;
      const nice = free > 0 ? 0 : BACKGROUND_NICE;
      if (nice !== task.nice) {
        let changed = true;
        for (const pid of task.pids) changed = this.renice(pid, nice) && changed;
        if (changed || task.pids.size === 0) task.nice = nice;
      }
      if (task.nice === 0) free -= 1;
      else task.wasBehind = true;
    }
  }
}
