import { badRequest } from '../infra/http/errors.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// C0 controls (NUL included), DEL and C1 controls: never part of a file name or a MIME type.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_VALUE_BYTES = 1024;

/**
 * Checks a tus `Upload-Metadata` header before tus parses it: every value must be base64 of valid UTF-8 without
 * control characters, so nothing PostgreSQL refuses (a NUL byte) reaches the database when the upload finishes.
 */
export function assertCleanUploadMetadata(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  for (const pair of header.split(',')) {
    const [key, value, ...rest] = pair.trim().split(' ');
    if (!key || rest.length > 0) throw badRequest('Upload-Metadata must be comma-separated "key base64value" pairs', 'invalid_upload_metadata');
    if (value === undefined) continue;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw badRequest(`Upload-Metadata "${key}" is not base64`, 'invalid_upload_metadata');
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length > MAX_VALUE_BYTES) throw badRequest(`Upload-Metadata "${key}" is longer than ${MAX_VALUE_BYTES} bytes`, 'invalid_upload_metadata');
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      throw badRequest(`Upload-Metadata "${key}" is not valid UTF-8 text`, 'invalid_upload_metadata');
    }
    if (CONTROL_CHARACTER.test(text)) throw badRequest(`Upload-Metadata "${key}" contains a control character (such as a NUL byte)`, 'invalid_upload_metadata');
  }
}
