/** Sizes channel art is stored at: a square avatar and a wide banner (YouTube's 2048×1152 safe-area ratio is overkill here). */
export const CHANNEL_IMAGE_SIZES = {
  avatar: { width: 256, height: 256 },
  banner: { width: 2048, height: 340 },
} as const;
export type ChannelImageKind = keyof typeof CHANNEL_IMAGE_SIZES;
