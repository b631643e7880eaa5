import { useCallback, useEffect, useState, type RefObject } from 'react';

interface WebKitVideoElement extends HTMLVideoElement {
  webkitEnterFullscreen?: () => void;
}

/** Full screen for the player's container (the controls come along), or for the video alone where that is all iPhone Safari allows. */
export function useFullscreen(containerRef: RefObject<HTMLElement | null>, videoRef: RefObject<HTMLVideoElement | null>): [boolean, () => void] {
  const [fullscreen, setFullscreen] = useState(false);
  useEffect(() => {
    const onFullscreenChange = () => setFullscreen(document.fullscreenElement !== null && document.fullscreenElement === containerRef.current);
    document.addEventListener('fullscreenchange', onFullscreenChange);
    return () => document.removeEventListener('fullscreenchange', onFullscreenChange);
  }, [containerRef]);
  const toggle = useCallback(() => {
    const container = containerRef.current;
    const video = videoRef.current as WebKitVideoElement | null;
    if (!container || !video) return;
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
    } else if (document.fullscreenEnabled && typeof container.requestFullscreen === 'function') {
      void container.requestFullscreen().catch(() => undefined);
    } else {
      video.webkitEnterFullscreen?.();
    }
  }, [containerRef, videoRef]);
  return [fullscreen, toggle];
}

/** A short message over the video ("+10s", "Muted") that fades after 700 ms. */
export function useFlash(): [{ text: string; key: number } | null, (text: string) => void] {
  const [flash, setFlash] = useState<{ text: string; key: number } | null>(null);
  useEffect(() => {
    if (!flash) return;
    const timer = window.setTimeout(() => setFlash(null), 700);
    return () => window.clearTimeout(timer);
  }, [flash]);
  const show = useCallback((text: string) => setFlash({ text, key: Date.now() }), []);
  return [flash, show];
}
