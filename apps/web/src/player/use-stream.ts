import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type Hls from 'hls.js';

export interface QualityLevel {
  /** hls.js level index. */
  index: number;
  label: string;
  width: number;
  height: number;
  bitrate: number;
}

export type StreamEngine = 'loading' | 'hls.js' | 'native' | 'unsupported';

export interface StreamState {
  engine: StreamEngine;
  levels: QualityLevel[];
  /** Level being played (-1 until known). */
  currentLevel: number;
  /** Level the viewer picked; -1 = automatic. */
  selectedLevel: number;
  fatalError: string | null;
  selectLevel(index: number): void;
}

/** Fatal errors hls.js may try to recover from before giving up. */
const MAX_RECOVERY_ATTEMPTS = 3;

function levelLabel(width: number, height: number): string {
  // "720p" names the short side, so portrait videos read the same as landscape ones.
  const shortSide = width > 0 && height > 0 ? Math.min(width, height) : height;
  return shortSide > 0 ? `${shortSide}p` : 'Unknown';
}

/**
 * Attaches an HLS stream to the <video>: hls.js over Media Source Extensions where available
 * (loaded on demand; it is the biggest dependency), else the browser's own HLS (Safari on iOS).
 * MSE comes first even where the browser also claims native HLS, because only hls.js exposes
 * the quality levels.
 */
export function useStream(videoRef: RefObject<HTMLVideoElement | null>, sourceUrl: string): StreamState {
  const [engine, setEngine] = useState<StreamEngine>('loading');
  const [levels, setLevels] = useState<QualityLevel[]>([]);
  const [currentLevel, setCurrentLevel] = useState(-1);
  const [selectedLevel, setSelectedLevel] = useState(-1);
  const [fatalError, setFatalError] = useState<string | null>(null);
  const hlsRef = useRef<Hls | null>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let cancelled = false;
    let hls: Hls | null = null;
    setEngine('loading');
    setLevels([]);
    setCurrentLevel(-1);
    setSelectedLevel(-1);
    setFatalError(null);

    const useNativePlayback = () => {
      if (video.canPlayType('application/vnd.apple.mpegurl')) {
        video.src = sourceUrl;
        setEngine('native');
      } else {
        setEngine('unsupported');
        setFatalError('Your browser cannot play this video. Try a recent version of Chrome, Firefox, Edge or Safari.');
      }
    };

    const start = async () => {
      const mediaSourceAvailable = 'MediaSource' in window || 'ManagedMediaSource' in window;
      if (!mediaSourceAvailable) {
        useNativePlayback();
        return;
      }
      let HlsClass: typeof Hls;
      try {
        HlsClass = (await import('hls.js')).default;
      } catch {
        if (!cancelled) setFatalError('The player could not be loaded. Check your connection and reload the page.');
        return;
      }
      if (cancelled) return;
      if (!HlsClass.isSupported()) {
        useNativePlayback();
        return;
      }
      const instance = new HlsClass({ capLevelToPlayerSize: true, backBufferLength: 30 });
      hls = instance;
      hlsRef.current = instance;
      let recoveryAttempts = 0;
      instance.on(HlsClass.Events.MANIFEST_PARSED, (_event, data) => {
        setLevels(
          data.levels.map((level, index) => ({
            index,
            label: levelLabel(level.width, level.height),
            width: level.width,
            height: level.height,
            bitrate: level.bitrate,
          })),
        );
      });
      instance.on(HlsClass.Events.LEVEL_SWITCHED, (_event, data) => setCurrentLevel(data.level));
      instance.on(HlsClass.Events.FRAG_BUFFERED, () => {
        recoveryAttempts = 0;
      });
      instance.on(HlsClass.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        recoveryAttempts += 1;
        if (recoveryAttempts > MAX_RECOVERY_ATTEMPTS) {
          setFatalError('Playback stopped because the video could not be loaded. Reload the page to try again.');
          instance.destroy();
          return;
        }
        if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR) instance.recoverMediaError();
        else if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR) instance.startLoad();
        else {
          setFatalError('This video could not be played.');
          instance.destroy();
        }
      });
      instance.loadSource(sourceUrl);
      instance.attachMedia(video);
      setEngine('hls.js');
    };
    void start();

    return () => {
      cancelled = true;
      hls?.destroy();
      hlsRef.current = null;
      video.removeAttribute('src');
      video.load();
    };
  }, [videoRef, sourceUrl]);

  const selectLevel = useCallback((index: number) => {
    const hls = hlsRef.current;
    if (!hls) return;
    // currentLevel switches right away (flushing the buffer), which is what a viewer who picks
    // a quality expects to see; -1 hands control back to the bandwidth estimator.
    hls.currentLevel = index;
    setSelectedLevel(index);
  }, []);

  return { engine, levels, currentLevel, selectedLevel, fatalError, selectLevel };
}
