import { ProcessFailedError } from './ffmpeg/ffmpeg.ts';

/**
 * Turns an infrastructure error into a sentence the uploader can read. The error itself (paths, stderr, stack)
 * belongs in the log only. One table for every background job, so a new failure is classified once.
 */
export interface FailureDescription {
  /** Shown to the uploader: no paths, no stderr, no internals. */
  reason: string;
  /** What kind of failure, for logs and metrics. */
  kind: 'disk_full' | 'disk_permission' | 'database' | 'network' | 'storage' | 'ffmpeg' | 'timeout' | 'internal';
}

const DATABASE_CODES = /^(08|57P0)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** True for errors that mean "PostgreSQL is unreachable or dropped the connection", not a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code && DATABASE_CODES.test(code)) return true;
  if (code && NETWORK_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection is not open|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  );
}

export function describeFailure(error: unknown): FailureDescription {
  const code = codeOf(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return { kind: 'disk_full', reason: 'The server ran out of storage space; try again later' };
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return { kind: 'disk_permission', reason: 'The server could not write its working files; an administrator needs to look at it' };
  if (error instanceof ProcessFailedError) {
    if (/No space left on device/i.test(error.stderrTail)) return { kind: 'disk_full', reason: 'The server ran out of storage space; try again later' };
    return { kind: 'ffmpeg', reason: 'The video could not be converted' };
  }
  if (code && NETWORK_CODES.has(code)) return { kind: 'network', reason: 'A service the server depends on was unreachable while processing; try again later' };
  if (isDatabaseUnavailable(error)) return { kind: 'database', reason: 'The database was unavailable while processing; try again later' };
  const name = error instanceof Error ? error.name : '';
  const fault = typeof error === 'object' && error !== null ? (error as { $fault?: unknown }).$fault : undefined;
  if (fault === 'server' || fault === 'client' || /^(S3|NoSuch|AccessDenied)/.test(name)) {
    return { kind: 'storage', reason: 'The media storage was unavailable while processing; try again later' };
  }
  if (name === 'TimeoutError') return { kind: 'timeout', reason: 'Processing took too long and was stopped' };
  return { kind: 'internal', reason: 'Processing failed because of a problem on our side; it has been logged' };
}
