/**
 * Resume positions for viewers who are not signed in, kept in this browser only. Signed-in viewers resume
 * from their server-side history instead. At most MAX_ENTRIES videos are remembered (oldest dropped first).
 */
const STORAGE_KEY = 'tube:resume';
const MAX_ENTRIES = 200;

interface Entry {
  position: number;
  at: number;
}

function readAll(storage: Pick<Storage, 'getItem'>): Record<string, Entry> {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, Entry>) : {};
  } catch {
    return {};
  }
}

export function saveLocalPosition(
  videoId: string,
  positionSeconds: number,
  storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
  now = Date.now(),
): void {
  const entries = readAll(storage);
  entries[videoId] = { position: positionSeconds, at: now };
  const kept = Object.entries(entries)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_ENTRIES);
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage full or disabled: resuming is a nicety.
  }
}

/** Where to resume, or null when never watched here or (nearly) finished. */
export function localResumePosition(videoId: string, durationSeconds: number | null, storage: Pick<Storage, 'getItem'> = localStorage): number | null {
  const entry = readAll(storage)[videoId];
  if (!entry || !(entry.position > 1)) return null;
  if (durationSeconds !== null && entry.position >= durationSeconds * 0.95) return null;
  return entry.position;
}
