import { useState } from 'react';
import { nextThemeChoice, readThemeChoice, resolveTheme, THEME_STORAGE_KEY, type ThemeChoice } from '../lib/theme.ts';
import './theme-switch.css';

const LABELS: Record<ThemeChoice, string> = { system: 'Theme: same as device', light: 'Theme: light', dark: 'Theme: dark' };
const GLYPHS: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };
const CHANGE_EVENT = 'tube-theme-change';

function storedChoice(): ThemeChoice {
  try {
    return readThemeChoice(window.localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return 'system';
  }
}

/**
 * Keeps `data-theme` on <html> (the stylesheet's light tokens hang off it) in line with the stored choice and,
 * for "same as device", with the system preference. Called once at start-up.
 */
export function installTheme(): void {
  const query = window.matchMedia('(prefers-color-scheme: light)');
  const apply = () => {
    const theme = resolveTheme(storedChoice(), query.matches);
    document.documentElement.dataset.theme = theme;
    document.querySelector('meta[name="theme-color"]')?.setAttribute('content', theme === 'light' ? '#ffffff' : '#0f0f0f');
  };
  apply();
  query.addEventListener('change', apply);
  window.addEventListener(CHANGE_EVENT, apply);
  // Another tab changed it.
  window.addEventListener('storage', (event) => {
    if (event.key === THEME_STORAGE_KEY) apply();
  });
}

/** Top-bar button cycling device → light → dark. */
export function ThemeSwitch() {
  const [choice, setChoice] = useState(storedChoice);
  const choose = (next: ThemeChoice) => {
    setChoice(next);
    try {
      window.localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // A preference.
    }
    window.dispatchEvent(new Event(CHANGE_EVENT));
  };
  return (
    <button
      type="button"
      className="icon-button theme-switch"
      aria-label={`${LABELS[choice]} (change)`}
      title={LABELS[choice]}
      data-testid="theme-switch"
      data-choice={choice}
      onClick={() => choose(nextThemeChoice(choice))}
    >
      <span aria-hidden="true">{GLYPHS[choice]}</span>
    </button>
  );
}
