/** One `#EXT-X-STREAM-INF` entry of an HLS master playlist. */
export interface MasterVariant {
  uri: string;
  bandwidth: number;
  codecs: string;
  width: number;
  height: number;
  frameRate: number;
}

/** Reads the variants of a master playlist (attribute values may be quoted and contain commas). */
export function parseHlsMaster(text: string): MasterVariant[] {
  const lines = text.split(/\r?\n/);
  const variants: MasterVariant[] = [];
  lines.forEach((line, index) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const attributes = new Map<string, string>();
    for (const match of line.slice('#EXT-X-STREAM-INF:'.length).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
      attributes.set(match[1]!, match[2]!.replace(/^"|"$/g, ''));
    }
    const [width, height] = (attributes.get('RESOLUTION') ?? '0x0').split('x').map(Number);
    variants.push({
      uri: (lines[index + 1] ?? '').trim(),
      bandwidth: Number(attributes.get('BANDWIDTH') ?? 0),
      codecs: attributes.get('CODECS') ?? '',
      width: width ?? 0,
      height: height ?? 0,
      frameRate: Number(attributes.get('FRAME-RATE') ?? 0),
    });
  });
  return variants;
}
