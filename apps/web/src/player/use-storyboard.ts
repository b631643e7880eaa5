import { useEffect, useState } from 'react';
import { parseStoryboardVtt, type StoryboardTile } from '../lib/storyboard.ts';

/** Loads the scrub-preview tiles; an empty list when there are none or they fail to load (previews are optional). */
export function useStoryboard(trackUrl: string | null): StoryboardTile[] {
  const [tiles, setTiles] = useState<StoryboardTile[]>([]);
  useEffect(() => {
    setTiles([]);
    if (!trackUrl) return;
    const controller = new AbortController();
    const absoluteUrl = new URL(trackUrl, window.location.href).toString();
    fetch(absoluteUrl, { signal: controller.signal })
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => {
        const parsed = parseStoryboardVtt(text, absoluteUrl);
        setTiles(parsed);
        // Warm the cache so the first hover shows a picture rather than an empty frame.
        for (const imageUrl of new Set(parsed.map((tile) => tile.imageUrl))) new Image().src = imageUrl;
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [trackUrl]);
  return tiles;
}
