import { useEffect } from 'react';
import { registerSW } from 'virtual:pwa-register';
import { useToast } from './components/toasts.tsx';

type UpdateListener = (applyUpdate: () => void) => void;

const updateListeners = new Set<UpdateListener>();
let pendingUpdate: (() => void) | null = null;

/**
 * Registers the service worker. A new version waits instead of taking over by itself: reloading
 * the page under someone watching a video or uploading one would interrupt them.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const updateServiceWorker = registerSW({
    immediate: true,
    onNeedRefresh() {
      pendingUpdate = () => void updateServiceWorker(true);
      for (const listener of updateListeners) listener(pendingUpdate);
    },
  });
}

/** Offers the waiting new version with a toast. */
export function useUpdatePrompt(): void {
  const toast = useToast();
  useEffect(() => {
    const listener: UpdateListener = (applyUpdate) => toast.show('A new version of Tube is available.', { label: 'Reload', run: applyUpdate });
    updateListeners.add(listener);
    if (pendingUpdate) listener(pendingUpdate);
    return () => {
      updateListeners.delete(listener);
    };
  }, [toast]);
}
