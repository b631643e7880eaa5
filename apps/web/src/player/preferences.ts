import { CAPTION_PREFERENCES_KEY, readCaptionPreferences, type CaptionPreferences } from '../lib/captions.ts';
import { readSpeed, SPEED_STORAGE_KEY } from './playback-speed.ts';

/** The viewer's player preferences in localStorage; each is a convenience, so storage errors are ignored. */
export const VOLUME_STORAGE_KEY = 'tube.volume';
export const MUTED_STORAGE_KEY = 'tube.muted';

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function storePreference(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Preferences are a convenience.
  }
}

function readNumber(key: string, fallback: number): number {
  const stored = read(key);
  const value = Number(stored);
  return stored !== null && Number.isFinite(value) ? value : fallback;
}

export const readStoredVolume = (): number => Math.min(1, Math.max(0, readNumber(VOLUME_STORAGE_KEY, 1)));
export const readStoredMuted = (): boolean => readNumber(MUTED_STORAGE_KEY, 0) === 1;
export const readStoredSpeed = (): number => readSpeed(read(SPEED_STORAGE_KEY));
export const readStoredCaptionPreferences = (): CaptionPreferences => readCaptionPreferences(read(CAPTION_PREFERENCES_KEY));
