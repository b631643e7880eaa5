import { useEffect, useRef, useState } from 'react';
import type { Video } from '@tube/shared';
import { watchApi } from './api.ts';
import { describeError } from '../../api/errors.ts';
import { Icon } from '../../components/Icon.tsx';
import { useToast } from '../../components/toasts.tsx';

/** How often the button asks again while the server makes the MP4 (it suggests 2 s; a remux takes a few). */
const POLL_MS = 1000;
/** Past this the button gives up (no worker running, say) and says so; the server keeps the job. */
const GIVE_UP_MS = 5 * 60_000;

/**
 * Download, YouTube style: the server makes one MP4 on the first request (202 with progress meanwhile), so the
 * button shows "Preparing…" until the signed link comes back, then hands it to the browser, which saves it
 * (the link answers with Content-Disposition: attachment and the title as the file name).
 */
export function DownloadButton({ video }: { video: Video }) {
  const toast = useToast();
  const [progress, setProgress] = useState<number | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const start = async () => {
    setProgress(0);
    const started = Date.now();
    try {
      for (;;) {
        if (Date.now() - started > GIVE_UP_MS) {
          toast.show('The download is taking longer than usual; try again in a few minutes');
          return;
        }
        const status = await watchApi.prepareDownload(video.id);
        if (!mounted.current) return;
        if (status.status === 'ready' && status.url) {
          const link = document.createElement('a');
          link.href = status.url;
          link.download = status.fileName ?? '';
          link.rel = 'noopener';
          document.body.append(link);
          link.click();
          link.remove();
          return;
        }
        setProgress(status.progress);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (!mounted.current) return;
      }
    } catch (error) {
      if (mounted.current) toast.show(describeError(error));
    } finally {
      if (mounted.current) setProgress(null);
    }
  };

  const preparing = progress !== null;
  return (
    <button
      type="button"
      className="button button-secondary"
      onClick={() => void start()}
      disabled={preparing}
      aria-busy={preparing || undefined}
      data-testid="download-button"
    >
      <Icon name="download" /> {preparing ? <span role="status">Preparing…{progress > 0 ? ` ${Math.round(progress * 100)}%` : ''}</span> : 'Download'}
    </button>
  );
}
