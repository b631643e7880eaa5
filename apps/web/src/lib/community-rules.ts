/**
 * Client-side copies of the community rules in packages/shared/src/community.ts and discovery.ts,
 * for feedback before a round trip (copied, not imported, to keep TypeBox out of the bundle).
 * test/community-logic.test.ts fails if they drift from the shared schemas.
 */
export const HANDLE_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$';
export const CHANNEL_NAME_MAX_LENGTH = 60;
export const CHANNEL_DESCRIPTION_MAX_LENGTH = 1000;
export const PLAYLIST_TITLE_MAX_LENGTH = 150;
export const PLAYLIST_DESCRIPTION_MAX_LENGTH = 5000;
export const COMMENT_MAX_LENGTH = 10_000;
export const REPORT_DETAILS_MAX_LENGTH = 2000;
/** What PUT /channels/:c/avatar|banner accepts (the server's body limit is 8 MiB). */
export const CHANNEL_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const CHANNEL_IMAGE_MAX_BYTES = 8 * 1024 * 1024;

const handleRegExp = new RegExp(HANDLE_PATTERN);

export interface NewChannelInput {
  handle: string;
  name: string;
  description: string;
}

export function validateNewChannel(input: NewChannelInput): Partial<Record<keyof NewChannelInput, string>> {
  const errors: Partial<Record<keyof NewChannelInput, string>> = {};
  const handle = input.handle.trim().replace(/^@/, '');
  if (handle.length < 3 || handle.length > 32) errors.handle = 'Use 3 to 32 characters.';
  else if (!handleRegExp.test(handle)) errors.handle = 'Use letters, digits, _ . or -, and start with a letter, digit or _.';
  const name = input.name.trim();
  if (!name) errors.name = 'Enter a name.';
  else if (name.length > CHANNEL_NAME_MAX_LENGTH) errors.name = `Use at most ${CHANNEL_NAME_MAX_LENGTH} characters.`;
  if (input.description.length > CHANNEL_DESCRIPTION_MAX_LENGTH) errors.description = `Use at most ${CHANNEL_DESCRIPTION_MAX_LENGTH} characters.`;
  return errors;
}

/** Why this file can't be a channel image, or null when it can. */
export function checkChannelImage(type: string, sizeBytes: number): string | null {
  if (!(CHANNEL_IMAGE_TYPES as readonly string[]).includes(type)) return 'Choose a JPEG, PNG or WebP image.';
  if (sizeBytes > CHANNEL_IMAGE_MAX_BYTES) return 'Choose an image under 8 MB.';
  return null;
}
