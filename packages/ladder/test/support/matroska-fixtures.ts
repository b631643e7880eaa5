/**
 * Rewrites the size of every top-level Matroska cluster to "unknown" (all ones, same width), which is how
 * MediaRecorder streams them. Walks the Segment's children by their sizes,
 * independently of the code under test (`src/matroska.ts`).
 */
export function withUnknownClusterSizes(source: Uint8Array): Buffer {
  const bytes = Buffer.from(source);
  const width = (first: number) => Math.clz32(first) - 23;
  const readSize = (at: number, w: number) => {
    let value = bytes[at]! & (0xff >> w);
    for (let index = 1; index < w; index++) value = value * 256 + bytes[at + index]!;
    return value;
  };
  const ebmlSizeWidth = width(bytes[4]!);
  let offset = 4 + ebmlSizeWidth + readSize(4, ebmlSizeWidth);
  offset += 4 + width(bytes[offset + 4]!); // the Segment header
  let rewritten = 0;
  while (offset < bytes.length) {
    const idWidth = width(bytes[offset]!);
    const id = bytes.subarray(offset, offset + idWidth).reduce((value, byte) => value * 256 + byte, 0);
    const sizeWidth = width(bytes[offset + idWidth]!);
    const size = readSize(offset + idWidth, sizeWidth);
    if (id === 0x1f43b675) {
      bytes[offset + idWidth] = (0xff >> sizeWidth) | (0x80 >> (sizeWidth - 1));
      for (let index = 1; index < sizeWidth; index++) bytes[offset + idWidth + index] = 0xff;
      rewritten += 1;
    }
    offset += idWidth + sizeWidth + size;
  }
  if (rewritten < 2) throw new Error('expected clusters to rewrite');
  return bytes;
}
