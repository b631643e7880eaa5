/** What plays after this video: the playlist's next one, else the first related video not yet in the list. */
export function pickUpNext<T extends { id: string }>(
  currentId: string,
  playlistNextId: string | null,
  related: readonly T[],
  excludeIds: ReadonlySet<string>,
): { id: string; video: T | null } | null {
  if (playlistNextId) return { id: playlistNextId, video: related.find((video) => video.id === playlistNextId) ?? null };
  const video = related.find((candidate) => candidate.id !== currentId && !excludeIds.has(candidate.id));
  return video ? { id: video.id, video } : null;
}

export const AUTOPLAY_STORAGE_KEY = 'tube.autoplay';
export const UP_NEXT_COUNTDOWN_SECONDS = 5;

/** Autoplay is on unless the viewer turned it off. */
export const readAutoplay = (stored: string | null) => stored !== '0';
