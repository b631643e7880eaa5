import { Type, type Static } from 'typebox';

/**
 * GET /api/v1/videos/:id/download: 202 while the MP4 is being made (ask again after Retry-After), then a 302 to
 * the signed file, or, for a client that asks for JSON (`Accept: application/json`), 200 with the link.
 */
export const DownloadStatus = Type.Object({
  status: Type.Union([Type.Literal('preparing'), Type.Literal('ready')]),
  /** 0..1 while preparing; 1 when ready. */
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  /** The signed link (served with Content-Disposition: attachment), when ready. */
  url: Type.Union([Type.String(), Type.Null()]),
  /** What the file is saved as: the sanitised title plus `.mp4`, when ready. */
  fileName: Type.Union([Type.String(), Type.Null()]),
  bytes: Type.Union([Type.Integer(), Type.Null()]),
  /** When the link stops working, when ready. */
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type DownloadStatus = Static<typeof DownloadStatus>;
