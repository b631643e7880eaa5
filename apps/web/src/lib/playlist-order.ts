/** The list with the item at `index` moved by `offset` places (clamped to the ends); the input is not changed. */
export function moveItem<T>(items: readonly T[], index: number, offset: number): T[] {
  const result = [...items];
  if (index < 0 || index >= items.length) return result;
  const target = Math.min(items.length - 1, Math.max(0, index + offset));
  const [moved] = result.splice(index, 1);
  if (moved !== undefined) result.splice(target, 0, moved);
  return result;
}

/** The id to play after `currentId` in a playlist, or null at the end (or when it is not in the list). */
export function nextInPlaylist(ids: readonly string[], currentId: string): string | null {
  const index = ids.indexOf(currentId);
  if (index < 0) return null;
  return ids[index + 1] ?? null;
}
