import { useCallback, useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ProgressSaver } from '../../player/progress-saver.ts';
import { saveLocalPosition } from '../../lib/local-resume.ts';
import { historyApi, historyKeys } from './api.ts';

/**
 * Saves where the viewer is in a video while playing, on pause, and when leaving the video or the page:
 * for signed-in viewers on the server (resume and history), for others in this browser. Returns the player's position callback.
 */
export function useWatchProgress(
  videoId: string,
  enabled: boolean,
  where: 'server' | 'local' = 'server',
): ((positionSeconds: number, state: 'playing' | 'stopped') => void) | undefined {
  const queryClient = useQueryClient();
  const saverRef = useRef<ProgressSaver | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const saver = new ProgressSaver((positionSeconds, leaving) => {
      if (where === 'local') {
        saveLocalPosition(videoId, positionSeconds);
        return;
      }
      void historyApi
        .saveProgress(videoId, positionSeconds, leaving)
        .then(() => queryClient.invalidateQueries({ queryKey: historyKeys.history }))
        .catch(() => undefined);
    });
    saverRef.current = saver;
    const onPageHide = () => saver.flush(performance.now());
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      saver.flush(performance.now());
      if (saverRef.current === saver) saverRef.current = null;
    };
  }, [videoId, enabled, where, queryClient]);

  const record = useCallback((positionSeconds: number, state: 'playing' | 'stopped') => {
    const saver = saverRef.current;
    if (!saver) return;
    if (state === 'playing') saver.recordPlaying(positionSeconds, performance.now());
    else saver.recordStopped(positionSeconds, performance.now());
  }, []);

  return enabled ? record : undefined;
}
