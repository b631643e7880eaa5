/** Playback speeds as on YouTube (0.25×–2×), remembered per viewer in this browser. */
export const PLAYBACK_SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] as const;
export const SPEED_STORAGE_KEY = 'tube.playbackRate';

/** The next speed up (`>`) or down (`<`), staying within the list. Unknown speeds snap to the nearest step. */
export function stepSpeed(current: number, direction: 1 | -1): number {
  const index = PLAYBACK_SPEEDS.findIndex((speed) => speed >= current - 1e-9);
  const at = index === -1 ? PLAYBACK_SPEEDS.length - 1 : PLAYBACK_SPEEDS[index] === current ? index : direction === 1 ? index - 1 : index;
  return PLAYBACK_SPEEDS[Math.min(PLAYBACK_SPEEDS.length - 1, Math.max(0, at + direction))]!;
}

export function readSpeed(stored: string | null): number {
  const value = Number(stored);
  return stored !== null && (PLAYBACK_SPEEDS as readonly number[]).includes(value) ? value : 1;
}

export const formatSpeed = (speed: number) => (speed === 1 ? 'Normal' : `${speed}×`);
