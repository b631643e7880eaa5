import { randomUUID } from 'node:crypto';
import { ERRORS, type Lock, type Locker, type RequestRelease } from '@tus/utils';
import { videoIdOfUpload } from './tus-errors.ts';
import type { UploadRepository } from './upload.repository.ts';

const RETRY_MS = 100;

/** Another request (on any node) holds the upload. Shaped as a tus refusal, so tus answers it as 423. */
export class UploadLockedError extends Error {
  readonly status_code = 423;
  readonly body = JSON.stringify({ error: { code: 'upload_locked', message: 'Another request is writing this upload right now; try again in a moment' } });

  constructor() {
    super('upload is locked by another request');
  }
}

/**
 * tus locks over a lease on the upload's row in PostgreSQL, so two API nodes never write one upload at once.
 * A lease (renewed while held) rather than a session advisory lock: no connection is held for a long PATCH, and
 * a crashed node's lock lapses by itself after `leaseSeconds`.
 */
export class UploadLocker implements Locker {
  /** Locks held by requests of this process, with the callback that asks each to let go. */
  readonly heldHere = new Map<string, { token: string; release: RequestRelease }>();

  constructor(
    readonly repo: UploadRepository,
    readonly leaseSeconds: number,
    readonly waitMs: number,
  ) {}

  newLock(id: string): Lock {
    return new UploadLock(this, videoIdOfUpload(id));
  }
}

class UploadLock implements Lock {
  private readonly token = randomUUID();
  private renewal: NodeJS.Timeout | undefined;
  private held = false;

  constructor(
    private readonly locker: UploadLocker,
    private readonly videoId: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { repo, leaseSeconds, waitMs, heldHere } = this.locker;
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (signal.aborted) throw ERRORS.ABORTED;
      const result = await repo.tryLock(this.videoId, this.token, leaseSeconds);
      // No row: a finished (or unknown) upload, with nothing left to write.
      if (result === 'missing') return;
      if (result === 'locked') {
        this.held = true;
        heldHere.set(this.videoId, { token: this.token, release: requestRelease });
        this.renewal = setInterval(() => void repo.renewLock(this.videoId, this.token, leaseSeconds).catch(() => {}), (leaseSeconds * 1000) / 3);
        this.renewal.unref();
        return;
      }
      // Held by a request of this process (a client that reconnected): ask it to finish up, as tus expects.
      heldHere.get(this.videoId)?.release();
      if (Date.now() >= deadline) throw new UploadLockedError();
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  async unlock(): Promise<void> {
    clearInterval(this.renewal);
    if (!this.held) return;
    this.held = false;
    const { heldHere, repo } = this.locker;
    if (heldHere.get(this.videoId)?.token === this.token) heldHere.delete(this.videoId);
    await repo.unlock(this.videoId, this.token);
  }
}
