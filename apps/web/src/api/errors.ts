import type { ErrorCode, FrameworkErrorCode } from '@tube/shared';

/** What `ApiError.code` holds: the server's code, or `http_<status>` when the body was not the error shape (a proxy's page). */
export type ApiErrorCode = ErrorCode | FrameworkErrorCode | `http_${number}`;

/** A failed API call, carrying the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Seconds from Retry-After on 429/503, when given. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown };
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'Please sign in again.',
  403: 'You are not allowed to do this.',
  404: 'Not found.',
  413: 'That is too large.',
  429: 'Too many attempts. Please wait a moment and try again.',
  500: 'Something went wrong on our side. Please try again.',
  502: 'The server is unreachable right now. Please try again.',
  503: 'The service is temporarily unavailable. Please try again.',
};

/** Turns a non-2xx response into an ApiError, tolerating bodies that are not the JSON error shape. */
export async function readApiError(response: Response): Promise<ApiError> {
  let code: ApiErrorCode = `http_${response.status}`;
  let message = FALLBACK_MESSAGES[response.status] ?? `Request failed (${response.status}).`;
  try {
    const body = (await response.json()) as ErrorEnvelope;
    // The server sends only codes of the ErrorCode union (checked where it builds them).
    if (typeof body.error?.code === 'string') code = body.error.code as ApiErrorCode;
    if (typeof body.error?.message === 'string' && body.error.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): keep the fallback.
  }
  const retryAfterHeader = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null;
  return new ApiError(response.status, code, message, retryAfterSeconds);
}

/** A message fit for people, whatever was thrown (network failures included). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfterSeconds) {
      const minutes = Math.ceil(error.retryAfterSeconds / 60);
      return error.retryAfterSeconds < 90
        ? `Too many attempts. Try again in ${error.retryAfterSeconds} seconds.`
        : `Too many attempts. Try again in ${minutes} minutes.`;
    }
    return error.message;
  }
  if (error instanceof TypeError) return 'Could not reach Tube. Check your connection and try again.';
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
