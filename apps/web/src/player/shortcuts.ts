export type PlayerAction =
  | { type: 'togglePlay' }
  | { type: 'seekBy'; seconds: number }
  | { type: 'seekToFraction'; fraction: number }
  | { type: 'toggleFullscreen' }
  | { type: 'toggleMute' }
  | { type: 'changeVolume'; delta: number }
  | { type: 'toggleCaptions' }
  | { type: 'changeSpeed'; direction: 1 | -1 }
  | { type: 'next' }
  | { type: 'toggleTheater' }
  | { type: 'miniPlayer' };

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
}

/** YouTube's keyboard shortcuts: space/k, j/l (±10 s), ←/→ (±5 s), ↑/↓ volume, f, m, c (captions), < > (speed),
 * Shift+N (next video), t (theater), i (mini player), 0–9 (jump to 0–90 %). */
export function actionForKey(press: KeyPress): PlayerAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  switch (press.key) {
    case ' ':
    case 'k':
    case 'K':
      return { type: 'togglePlay' };
    case 'j':
    case 'J':
      return { type: 'seekBy', seconds: -10 };
    case 'l':
    case 'L':
      return { type: 'seekBy', seconds: 10 };
    case 'ArrowLeft':
      return { type: 'seekBy', seconds: -5 };
    case 'ArrowRight':
      return { type: 'seekBy', seconds: 5 };
    case 'ArrowUp':
      return { type: 'changeVolume', delta: 0.05 };
    case 'ArrowDown':
      return { type: 'changeVolume', delta: -0.05 };
    case 'f':
    case 'F':
      return { type: 'toggleFullscreen' };
    case 'm':
    case 'M':
      return { type: 'toggleMute' };
    case 'c':
    case 'C':
      return { type: 'toggleCaptions' };
    case 't':
    case 'T':
      return { type: 'toggleTheater' };
    case 'i':
    case 'I':
      return { type: 'miniPlayer' };
    case '>':
      return { type: 'changeSpeed', direction: 1 };
    case '<':
      return { type: 'changeSpeed', direction: -1 };
    case 'N':
      return press.shiftKey ? { type: 'next' } : null;
    default:
      if (/^[0-9]$/.test(press.key)) return { type: 'seekToFraction', fraction: Number(press.key) / 10 };
      return null;
  }
}

/** Where the new position lands after a relative seek: never before 0 nor past the end. */
export function clampSeek(current: number, delta: number, duration: number): number {
  const target = current + delta;
  if (!Number.isFinite(duration) || duration <= 0) return Math.max(0, target);
  return Math.min(Math.max(0, target), duration);
}
