import { useEffect, useState } from 'react';
import { parseWebVtt, type CaptionCue } from '../lib/captions.ts';

/** The cues of one caption file; empty while loading, when there is none, or when it fails (captions are optional). */
export function useCaptionCues(url: string | null): CaptionCue[] {
  const [cues, setCues] = useState<CaptionCue[]>([]);
  useEffect(() => {
    setCues([]);
    if (!url) return;
    const controller = new AbortController();
    fetch(new URL(url, window.location.href), { signal: controller.signal })
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => setCues(parseWebVtt(text)))
      .catch(() => undefined);
    return () => controller.abort();
  }, [url]);
  return cues;
}
