/**
 * Client-side copies of the server's rules (packages/shared/src/auth.ts and videos.ts), so people
 * get feedback before a round trip. Copied rather than imported: importing the schemas would bundle
 * TypeBox. test/validation.test.ts fails if these drift from the shared schemas.
 */
export const USERNAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$';
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
export const EMAIL_MAX_LENGTH = 254;
export const TITLE_MAX_LENGTH = 100;
export const DESCRIPTION_MAX_LENGTH = 5000;
export const TAG_MAX_LENGTH = 30;
export const MAX_TAGS = 15;

const usernameRegExp = new RegExp(USERNAME_PATTERN);
// Deliberately loose: the server decides; this only catches obvious typos.
const emailRegExp = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface RegistrationInput {
  username: string;
  email: string;
  password: string;
}

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

export function validateRegistration(input: RegistrationInput): FieldErrors<keyof RegistrationInput> {
  const errors: FieldErrors<keyof RegistrationInput> = {};
  const username = input.username.trim();
  if (username.length < 3 || username.length > 32) errors.username = 'Use 3 to 32 characters.';
  else if (!usernameRegExp.test(username)) errors.username = 'Use letters, digits, _ . or -, and start with a letter, digit or _.';
  const email = input.email.trim();
  if (!email) errors.email = 'Enter your email address.';
  else if (email.length > EMAIL_MAX_LENGTH || !emailRegExp.test(email)) errors.email = 'Enter a valid email address.';
  if (input.password.length < PASSWORD_MIN_LENGTH) errors.password = `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  else if (input.password.length > PASSWORD_MAX_LENGTH) errors.password = `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  return errors;
}

/** "music, live,  Music " → ["music", "live"]: trimmed, without a leading #, de-duplicated ignoring case. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim().replace(/^#+/, '').trim();
    const key = tag.toLowerCase();
    if (!tag || seen.has(key)) continue;
    seen.add(key);
    tags.push(tag);
  }
  return tags;
}

export interface VideoDetailsInput {
  title: string;
  description: string;
  tags: string[];
}

export function validateVideoDetails(input: VideoDetailsInput): FieldErrors<keyof VideoDetailsInput> {
  const errors: FieldErrors<keyof VideoDetailsInput> = {};
  const title = input.title.trim();
  if (!title) errors.title = 'Add a title.';
  else if (title.length > TITLE_MAX_LENGTH) errors.title = `Keep the title under ${TITLE_MAX_LENGTH + 1} characters.`;
  if (input.description.length > DESCRIPTION_MAX_LENGTH) errors.description = `Keep the description under ${DESCRIPTION_MAX_LENGTH + 1} characters.`;
  if (input.tags.length > MAX_TAGS) errors.tags = `Use at most ${MAX_TAGS} tags.`;
  else {
    const tooLong = input.tags.find((tag) => tag.length > TAG_MAX_LENGTH);
    if (tooLong) errors.tags = `"${tooLong.slice(0, 12)}…" is longer than ${TAG_MAX_LENGTH} characters.`;
  }
  return errors;
}

/** "My Holiday_2024.final.mp4" → "My Holiday_2024.final", cut to the title limit. */
export function titleFromFilename(filename: string): string {
  const withoutExtension = filename.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const title = withoutExtension.trim() || filename.trim() || 'Untitled video';
  return title.slice(0, TITLE_MAX_LENGTH);
}

/**
 * Only same-origin paths are allowed as post-sign-in destinations ("//evil.example" and
 * "/\\evil.example" are protocol-relative URLs in browsers, so they are refused too).
 */
export function safeRedirectPath(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|qt|mkv|webm|avi|wmv|flv|mpg|mpeg|m2ts|mts|ts|3gp|3g2|ogv|mxf)$/i;

/** Browsers leave `type` empty for some containers (mkv, mts), so the extension also counts. */
export function looksLikeVideoFile(name: string, mimeType: string): boolean {
  return mimeType.startsWith('video/') || VIDEO_EXTENSIONS.test(name);
}
