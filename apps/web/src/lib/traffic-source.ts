import type { TrafficSource } from '@tube/shared';

const CURRENT_KEY = 'tube.path.current';
const PREVIOUS_KEY = 'tube.path.previous';

function read(key: string): string | null {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Called on every in-app navigation, so the watch page knows which page the viewer came from. */
export function rememberPath(path: string): void {
  try {
    const current = window.sessionStorage.getItem(CURRENT_KEY);
    if (current === path) return;
    if (current) window.sessionStorage.setItem(PREVIOUS_KEY, current);
    window.sessionStorage.setItem(CURRENT_KEY, path);
  } catch {
    // Private modes may refuse storage; the source is then "direct".
  }
}

/** How the viewer reached the page showing `here` (path + query). */
export function trafficSource(here: string, referrer: string = document.referrer): TrafficSource {
  if (window.top !== window.self) return 'embed';
  const current = read(CURRENT_KEY);
  const cameFrom = current === here ? read(PREVIOUS_KEY) : current;
  if (cameFrom && cameFrom !== here) return cameFrom.startsWith('/results') ? 'search' : 'browse';
  if (referrer) {
    try {
      if (new URL(referrer).origin !== window.location.origin) return 'external';
    } catch {
      // An unreadable referrer says nothing.
    }
  }
  return 'direct';
}
