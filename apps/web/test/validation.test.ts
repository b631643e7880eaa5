import { describe, expect, it } from 'vitest';
import { RegisterBody, UpdateVideoBody, USERNAME_PATTERN as SERVER_USERNAME_PATTERN } from '@tube/shared';
import {
  DESCRIPTION_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  looksLikeVideoFile,
  MAX_TAGS,
  parseTags,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  safeRedirectPath,
  TAG_MAX_LENGTH,
  TITLE_MAX_LENGTH,
  titleFromFilename,
  USERNAME_PATTERN,
  validateRegistration,
  validateVideoDetails,
} from '../src/lib/validation.ts';

describe('client rules mirror the shared schemas', () => {
  // The schemas are plain JSON Schema objects; their TypeScript types do not list the keywords.
  const keyword = (schema: object, name: string): unknown => (schema as Record<string, unknown>)[name];

  it('uses the same limits as the server', () => {
    const register = RegisterBody.properties;
    const update = UpdateVideoBody.properties;
    expect(USERNAME_PATTERN).toBe(SERVER_USERNAME_PATTERN);
    expect(PASSWORD_MIN_LENGTH).toBe(keyword(register.password, 'minLength'));
    expect(PASSWORD_MAX_LENGTH).toBe(keyword(register.password, 'maxLength'));
    expect(EMAIL_MAX_LENGTH).toBe(keyword(register.email, 'maxLength'));
    expect(TITLE_MAX_LENGTH).toBe(keyword(update.title, 'maxLength'));
    expect(DESCRIPTION_MAX_LENGTH).toBe(keyword(update.description, 'maxLength'));
    expect(MAX_TAGS).toBe(keyword(update.tags, 'maxItems'));
    expect(TAG_MAX_LENGTH).toBe(keyword(keyword(update.tags, 'items') as object, 'maxLength'));
  });
});

describe('validateRegistration', () => {
  const valid = { username: 'alice_01', email: 'alice@example.test', password: 'correct horse' };

  it('accepts valid input', () => {
    expect(validateRegistration(valid)).toEqual({});
  });

  it('rejects usernames the server would reject', () => {
    for (const username of ['ab', 'a'.repeat(33), '-alice', '.alice', 'al ice', 'alice!', 'ålice']) {
      expect(validateRegistration({ ...valid, username }).username, username).toBeDefined();
    }
    for (const username of ['abc', '_alice', 'a.b-c_d', 'A'.repeat(32)]) {
      expect(validateRegistration({ ...valid, username }).username, username).toBeUndefined();
    }
  });

  it('checks the email shape and the password length', () => {
    expect(validateRegistration({ ...valid, email: '' }).email).toBe('Enter your email address.');
    expect(validateRegistration({ ...valid, email: 'alice@' }).email).toBeDefined();
    expect(validateRegistration({ ...valid, email: `${'a'.repeat(250)}@x.io` }).email).toBeDefined();
    expect(validateRegistration({ ...valid, password: '1234567' }).password).toBe('Use at least 8 characters.');
    expect(validateRegistration({ ...valid, password: '12345678' }).password).toBeUndefined();
    expect(validateRegistration({ ...valid, password: 'x'.repeat(257) }).password).toBeDefined();
  });
});

describe('video details', () => {
  it('parses comma-separated tags, dropping #, blanks and case-insensitive duplicates', () => {
    expect(parseTags(' music, #live,, Music ,  tutorial ')).toEqual(['music', 'live', 'tutorial']);
    expect(parseTags('')).toEqual([]);
  });

  it('validates title, description and tags', () => {
    expect(validateVideoDetails({ title: 'Hello', description: '', tags: [] })).toEqual({});
    expect(validateVideoDetails({ title: '   ', description: '', tags: [] }).title).toBe('Add a title.');
    expect(validateVideoDetails({ title: 'x'.repeat(101), description: '', tags: [] }).title).toBeDefined();
    expect(validateVideoDetails({ title: 'ok', description: 'x'.repeat(5001), tags: [] }).description).toBeDefined();
    expect(validateVideoDetails({ title: 'ok', description: '', tags: Array.from({ length: 16 }, (_, i) => `t${i}`) }).tags).toBeDefined();
    expect(validateVideoDetails({ title: 'ok', description: '', tags: ['x'.repeat(31)] }).tags).toBeDefined();
  });

  it('derives a title from the file name', () => {
    expect(titleFromFilename('My Holiday_2024.final.mp4')).toBe('My Holiday_2024.final');
    expect(titleFromFilename('clip')).toBe('clip');
    expect(titleFromFilename('.mp4')).toBe('.mp4');
    expect(titleFromFilename(`${'a'.repeat(150)}.mov`)).toHaveLength(100);
  });

  it('recognises video files by type or extension', () => {
    expect(looksLikeVideoFile('a.mp4', 'video/mp4')).toBe(true);
    expect(looksLikeVideoFile('a.mkv', '')).toBe(true);
    expect(looksLikeVideoFile('a.bin', 'video/x-custom')).toBe(true);
    expect(looksLikeVideoFile('notes.txt', 'text/plain')).toBe(false);
    expect(looksLikeVideoFile('photo.jpg', 'image/jpeg')).toBe(false);
  });
});

describe('safeRedirectPath', () => {
  it('allows same-origin paths only', () => {
    expect(safeRedirectPath('/studio?x=1')).toBe('/studio?x=1');
    expect(safeRedirectPath(null)).toBe('/');
    expect(safeRedirectPath('https://evil.example')).toBe('/');
    expect(safeRedirectPath('//evil.example')).toBe('/');
    expect(safeRedirectPath('/\\evil.example')).toBe('/');
    expect(safeRedirectPath('javascript:alert(1)')).toBe('/');
  });
});
