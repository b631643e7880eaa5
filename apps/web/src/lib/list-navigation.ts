/**
 * Arrow-key movement through a list of options (search suggestions): -1 means "none highlighted,
 * the text box itself". Down from the last option and up from the first go back to the text box,
 * as in YouTube's and browsers' own suggestion lists.
 */
export function nextHighlightedIndex(current: number, optionCount: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (optionCount === 0) return -1;
  if (key === 'ArrowDown') return current >= optionCount - 1 ? -1 : current + 1;
  return current === -1 ? optionCount - 1 : current - 1;
}
