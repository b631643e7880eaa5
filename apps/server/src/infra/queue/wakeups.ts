/**
 * Wakes this process's idle workers of a queue at once, instead of at their next poll, for jobs that have just
 * been committed (e.g. the tasks of a plan written by this process). Workers in other processes still poll.
 */
const listeners = new Map<string, Set<() => void>>();

/** Called by the worker for each of its pg-boss registrations; returns the unsubscribe. */
export function onQueueWakeup(queue: string, wake: () => void): () => void {
  let set = listeners.get(queue);
  if (!set) {
    set = new Set();
    listeners.set(queue, set);
  }
  set.add(wake);
  return () => set.delete(wake);
}

/** Only after the transaction that created the jobs has committed: a worker woken earlier finds nothing. */
export function wakeQueue(queue: string): void {
  for (const wake of listeners.get(queue) ?? []) wake();
}
