import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type Hls from 'hls.js';
import { BANDWIDTH_STORAGE_KEY, blendEstimate, chooseStartLevel, fragmentThroughput, initialEstimate, readStoredEstimate } from './start-level.ts';

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
  /** The level playback started with (-1 until chosen). */
  startLevel: number;
  /** The level of the first video segment buffered (-1 until then): what the viewer saw first. */
  firstLevel: number;
  fatalError: string | null;
  selectLevel(index: number): void;
  /** hls.js' current bandwidth estimate (bit/s), for the stats overlay; null with native playback. */
  bandwidthEstimate(): number | null;
}

function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
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
export function useStream(
  videoRef: RefObject<HTMLVideoElement | null>,
  sourceUrl: string,
  /** Where hls.js starts loading (seconds); read when the stream is attached. The native engine leaves it to the caller. */
  startPosition: number | null = null,
): StreamState {
  const [engine, setEngine] = useState<StreamEngine>('loading');
  const [levels, setLevels] = useState<QualityLevel[]>([]);
  const [currentLevel, setCurrentLevel] = useState(-1);
  const [selectedLevel, setSelectedLevel] = useState(-1);
  const [startLevel, setStartLevel] = useState(-1);
  const [firstLevel, setFirstLevel] = useState(-1);
  const [fatalError, setFatalError] = useState<string | null>(null);
  const hlsRef = useRef<Hls | null>(null);
  const startPositionRef = useRef(startPosition);
  startPositionRef.current = startPosition;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let cancelled = false;
    let hls: Hls | null = null;
    setEngine('loading');
    setLevels([]);
    setCurrentLevel(-1);
    setSelectedLevel(-1);
    setStartLevel(-1);
    setFirstLevel(-1);
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
      const connection = (navigator as Navigator & { connection?: { downlink?: number } }).connection;
      const estimate = initialEstimate(readStoredEstimate(readStorage(BANDWIDTH_STORAGE_KEY)), connection?.downlink);
      // Never hls.js' default: a video still being processed is an EVENT playlist without ENDLIST, which hls.js would
      // treat as live and start three segments before its end; viewers of a processing video start at the beginning,
      // or where they were (a resume, or the reload for a new quality), loading nothing before that.
      const instance = new HlsClass({
        capLevelToPlayerSize: true,
        backBufferLength: 30,
        abrEwmaDefaultEstimate: estimate,
        startPosition: startPositionRef.current ?? 0,
      });
      hls = instance;
      hlsRef.current = instance;
      let recoveryAttempts = 0;
      // Our own measurement of real segment downloads, kept for the next video: hls.js' estimate is its
      // default until it has enough samples, which a short visit may never reach.
      let measured: number | null = null;
      instance.on(HlsClass.Events.FRAG_LOADED, (_event, data) => {
        if (data.frag.type !== 'main') return;
        const { loaded, loading } = data.frag.stats;
        const sample = fragmentThroughput(loaded, loading.start, loading.end);
        if (sample === null) return;
        measured = blendEstimate(measured, sample);
        try {
          window.localStorage.setItem(BANDWIDTH_STORAGE_KEY, JSON.stringify({ bitsPerSecond: Math.round(measured), at: Date.now() }));
        } catch {
          // Only a head start for the next video.
        }
      });
      instance.on(HlsClass.Events.MANIFEST_PARSED, (_event, data) => {
        const ratio = window.devicePixelRatio || 1;
        const box = video.getBoundingClientRect();
        const first = chooseStartLevel(data.levels, estimate, box.width > 0 ? { width: box.width * ratio, height: box.height * ratio } : null);
        instance.startLevel = first;
        setStartLevel(first);
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
      let firstBuffered = false;
      instance.on(HlsClass.Events.FRAG_BUFFERED, (_event, data) => {
        recoveryAttempts = 0;
        if (!firstBuffered && data.frag.type === 'main') {
          firstBuffered = true;
          setFirstLevel(data.frag.level);
        }
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

  const bandwidthEstimate = useCallback(() => {
    const estimate = hlsRef.current?.bandwidthEstimate;
    return typeof estimate === 'number' && Number.isFinite(estimate) ? estimate : null;
  }, []);

  return { engine, levels, currentLevel, selectedLevel, startLevel, firstLevel, fatalError, selectLevel, bandwidthEstimate };
}
