import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { describeFailure, isDatabaseUnavailable } from '../../src/infra/failure-reasons.ts';
import { runProcess } from '../../src/infra/ffmpeg/ffmpeg.ts';
import { FFMPEG } from '../helpers/media.ts';

/** Real errors from the kernel, ffmpeg and pg, never hand-built ones: what the classifier sees in production. */
async function errorOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to fail');
}

describe('failure reasons shown to uploaders', () => {
  it('say "out of storage space" for a full disk, without the path', async () => {
    // /dev/full answers every write with ENOSPC.
    const full = await errorOf(() => writeFile('/dev/full', 'x'));
    expect((full as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const described = describeFailure(full);
    expect(described).toEqual({ kind: 'disk_full', reason: 'The server ran out of storage space; try again later' });
  });

  it('never pass on ffmpeg stderr', async () => {
    const other = await errorOf(() => runProcess(FFMPEG, ['-v', 'error', '-i', '/nonexistent/input.mp4', '-f', 'null', '-']));
    const described = describeFailure(other);
    expect(described.kind).toBe('ffmpeg');
    expect(described.reason).not.toMatch(/\/|ffmpeg|exited/);
  });

  it('recognise a database that refuses or drops connections', async () => {
    const refused = await errorOf(async () => {
      const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:9/none', connectionTimeoutMillis: 2000 });
      await client.connect();
    });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(describeFailure(refused).reason).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect(isDatabaseUnavailable(new Error('duplicate key value violates unique constraint'))).toBe(false);
  });

  it('fall back to a generic sentence for anything else', () => {
    expect(describeFailure(new Error("EISDIR: illegal operation on a directory, open '/tmp/x/work'"))).toEqual({
      kind: 'internal',
      reason: 'Processing failed because of a problem on our side; it has been logged',
    });
  });
});
