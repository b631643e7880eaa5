/** Sizes channel art is stored at: a square avatar and a wide banner (YouTube's 2048×1152 safe-area ratio is overkill here). */
export const CHANNEL_IMAGE_SIZES = {
  avatar: { width: 256, height: 256 },
  banner: { width: 2048, height: 340 },
} as const;
export type ChannelImageKind = keyof typeof CHANNEL_IMAGE_SIZES;

/** ffmpeg arguments that scale an image to cover the target box, centre-crop it, and write one JPEG. */
export function buildChannelImageArgs(input: string, output: string, kind: ChannelImageKind): string[] {
  const { width, height } = CHANNEL_IMAGE_SIZES[kind];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-i',
    input,
    '-vf',
    `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1`,
    '-frames:v',
    '1',
    '-q:v',
    '3',
    '-map_metadata',
    '-1',
    output,
  ];
}
