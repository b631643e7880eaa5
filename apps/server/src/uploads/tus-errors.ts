import { uploadKeyFor } from '../videos/video.service.ts';
import type { ErrorCode } from '@tube/shared';

/** tus refuses a request by throwing this shape; our body is the API's usual `{ error: { code, message } }`. */
export function tusError(status: number, code: ErrorCode, message: string) {
  return { status_code: status, body: JSON.stringify({ error: { code, message } }) };
}

const UPLOAD_KEY_PREFIX = uploadKeyFor('');

/** tus names an upload by its storage key, "uploads/<videoId>". */
export const videoIdOfUpload = (uploadId: string) => (uploadId.startsWith(UPLOAD_KEY_PREFIX) ? uploadId.slice(UPLOAD_KEY_PREFIX.length) : uploadId);

/** The tus library's own plain-text refusals, as sentences with stable codes. */
const TUS_REFUSALS: Record<string, { code: ErrorCode; message: string }> = {
  '409:Upload-Offset conflict': { code: 'offset_mismatch', message: 'Upload-Offset does not match the bytes received so far; ask with HEAD where to resume' },
  "413:upload's size exceeded": { code: 'upload_too_large', message: 'This request carries more bytes than the upload may still take' },
  '413:Maximum size exceeded': { code: 'upload_too_large', message: 'This upload is larger than the largest upload the server accepts' },
  '404:The file for this url was not found': { code: 'not_found', message: 'Upload not found' },
  '410:The file for this url no longer exists': { code: 'upload_expired', message: 'This upload expired before it was finished; start it again' },
  '400:Cannot terminate an already completed upload': {
    code: 'upload_finished',
    message: "This upload is finished and is the video's source; delete the video instead",
  },
};

/** Rewrites a tus error into our error shape; undefined when it already is one or is a server fault. */
export function readableTusError(error: { status_code: number; body: string }): { status_code: number; body: string } | undefined {
  if (error.body.startsWith('{')) return undefined;
  const known = TUS_REFUSALS[`${error.status_code}:${error.body.trim()}`];
  if (known) return tusError(error.status_code, known.code, known.message);
  if (error.status_code < 500) return tusError(error.status_code, 'upload_refused', error.body.trim() || 'The upload request was refused');
  return undefined;
}
