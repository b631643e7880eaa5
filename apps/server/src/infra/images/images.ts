/** The image formats Tube accepts from users, recognised by their first bytes (never by the declared type). */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';
export const ACCEPTED_IMAGE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'gif'];

/** Why an image was refused; the message is a sentence for the person who sent it. */
export type ImageRejection = 'unsupported_format' | 'too_many_pixels' | 'unreadable' | 'timed_out';

export class ImageRejectedError extends Error {
  constructor(
    readonly reason: ImageRejection,
    message: string,
  ) {
    super(message);
  }
}

export interface ImageLimits {
  /** Width × height read from the header; larger images are refused before any pixel is decoded. */
  maxPixels: number;
  /** Wall-clock limit of one decode + resize + encode. */
  timeoutSeconds: number;
}

/**
 * Turns an untrusted upload into a clean JPEG of exactly `width`×`height` (scaled to cover, centre-cropped;
 * an animated GIF gives its first frame). The output is re-encoded from pixels, so no metadata survives.
 * Throws ImageRejectedError for anything it will not decode.
 */
export interface ImageProcessor {
  coverJpeg(input: Buffer, box: { width: number; height: number }): Promise<Buffer>;
}

/** Magic bytes of the accepted formats; null for anything else (text, playlists, SVG, TIFF, …). */
export function sniffImageFormat(bytes: Buffer): ImageFormat | null {
  const starts = (offset: number, signature: number[] | string) =>
    bytes.length >= offset + signature.length &&
    (typeof signature === 'string'
      ? bytes.toString('latin1', offset, offset + signature.length) === signature
      : signature.every((byte, i) => bytes[offset + i] === byte));
  if (starts(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(0, 'RIFF') && starts(8, 'WEBP')) return 'webp';
  if (starts(0, 'GIF87a') || starts(0, 'GIF89a')) return 'gif';
  return null;
}
