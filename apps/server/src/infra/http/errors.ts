import type { ErrorCode } from '@tube/shared';

/** An error meant for the client: its status, a stable code and a sentence a person can read. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code: ErrorCode = 'bad_request') => new AppError(400, code, message);
export const unauthorized = (message = 'Authentication required', code: ErrorCode = 'unauthorized') => new AppError(401, code, message);
export const forbidden = (message = 'You are not allowed to do this', code: ErrorCode = 'forbidden') => new AppError(403, code, message);
export const notFound = (message = 'Not found', code: ErrorCode = 'not_found') => new AppError(404, code, message);
export const conflict = (message: string, code: ErrorCode = 'conflict') => new AppError(409, code, message);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests, try again later') =>
  new AppError(429, 'rate_limited', message, { 'retry-after': String(retryAfterSeconds) });
