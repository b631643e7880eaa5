import sharp from 'sharp';
import { ImageRejectedError, sniffImageFormat, type ImageLimits, type ImageProcessor } from './images.ts';

// libvips' operation cache holds decoded images between calls; user uploads are never repeated, so it only costs memory.
sharp.cache(false);

const NOT_AN_IMAGE = 'That file is not an image Tube can read (use JPEG, PNG, WebP or GIF)';

/**
 * At most this many decodes run at once per process; more wait their turn. With IMAGE_MAX_PIXELS this bounds
 * the memory images take in the API process however many uploads arrive together.
 */
const MAX_CONCURRENT_DECODES = 2;

/** Images decoded by libvips (sharp) inside the process, with the format, size and time limits checked first. */
export class SharpImages implements ImageProcessor {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limits: ImageLimits) {}

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_CONCURRENT_DECODES) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  async coverJpeg(input: Buffer, box: { width: number; height: number }): Promise<Buffer> {
    const format = sniffImageFormat(input);
    if (!format) throw new ImageRejectedError('unsupported_format', NOT_AN_IMAGE);
    // Only the header is parsed here; nothing is decoded yet.
    const metadata = await sharp(input, { failOn: 'error' })
      .metadata()
      .catch(() => {
        throw new ImageRejectedError('unreadable', 'That image is damaged or incomplete; export it again and retry');
      });
    if (metadata.format !== format || !metadata.width || !metadata.height) throw new ImageRejectedError('unsupported_format', NOT_AN_IMAGE);
    const height = metadata.pageHeight ?? metadata.height;
    if (metadata.width * height > this.limits.maxPixels) {
      const megapixels = (this.limits.maxPixels / 1_000_000).toLocaleString('en', { maximumFractionDigits: 1 });
      throw new ImageRejectedError('too_many_pixels', `That image is ${metadata.width}×${height} pixels; the largest accepted is ${megapixels} megapixels`);
    }
    try {
      return await this.inTurn(() => this.decodeCovering(input, box));
    } catch (error) {
      if (error instanceof Error && /timeout/i.test(error.message)) {
        throw new ImageRejectedError('timed_out', 'That image took too long to process; try a smaller one');
      }
      throw new ImageRejectedError('unreadable', 'That image is damaged or incomplete; export it again and retry');
    }
  }

  private decodeCovering(input: Buffer, box: { width: number; height: number }): Promise<Buffer> {
    return sharp(input, { failOn: 'warning', limitInputPixels: this.limits.maxPixels, pages: 1, animated: false })
      .autoOrient()
      .resize(box.width, box.height, { fit: 'cover', position: 'centre' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 85, mozjpeg: true })
      .timeout({ seconds: this.limits.timeoutSeconds })
      .toBuffer();
  }
}
