import { describe, expect, it } from 'vitest';
import { nextThemeChoice, readThemeChoice, resolveTheme } from '../src/lib/theme.ts';

describe('theme', () => {
  it('follows the system unless the viewer chose', () => {
    expect(readThemeChoice(null)).toBe('system');
    expect(readThemeChoice('purple')).toBe('system');
    expect(readThemeChoice('light')).toBe('light');
    expect(resolveTheme('system', true)).toBe('light');
    expect(resolveTheme('system', false)).toBe('dark');
    expect(resolveTheme('dark', true)).toBe('dark');
    expect(resolveTheme('light', false)).toBe('light');
  });

  it('the button cycles device → light → dark', () => {
    expect(nextThemeChoice('system')).toBe('light');
    expect(nextThemeChoice('light')).toBe('dark');
    expect(nextThemeChoice('dark')).toBe('system');
  });
});
