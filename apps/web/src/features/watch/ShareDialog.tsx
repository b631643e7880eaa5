import { useId, useState } from 'react';
import type { Video } from '@tube/shared';
import { useToast } from '../../components/toasts.tsx';
import { Dialog } from '../../components/ui.tsx';
import { formatDuration } from '../../lib/format.ts';
import { DEFAULT_EMBED_OPTIONS, embedCode, embedLink, parseStartTime, watchLink, type EmbedOptions } from '../../lib/share.ts';
import './share.css';

/** Share: the watch link (optionally at a time), and for videos others may watch, embed code with options. */
export function ShareDialog({ video, open, currentSeconds, onClose }: { video: Video; open: boolean; currentSeconds: number; onClose(): void }) {
  return (
    <Dialog open={open} title="Share" onClose={onClose}>
      {open ? <ShareForm key={Math.floor(currentSeconds)} video={video} currentSeconds={currentSeconds} /> : null}
    </Dialog>
  );
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function ShareForm({ video, currentSeconds }: { video: Video; currentSeconds: number }) {
  const toast = useToast();
  const ids = useId();
  const [startEnabled, setStartEnabled] = useState(false);
  const [startText, setStartText] = useState(formatDuration(Math.floor(currentSeconds)) || '0:00');
  const [embed, setEmbed] = useState<EmbedOptions>(DEFAULT_EMBED_OPTIONS);
  const startSeconds = startEnabled ? parseStartTime(startText) : null;
  const startInvalid = startEnabled && startSeconds === null;
  const origin = window.location.origin;
  const link = watchLink(origin, video.id, startSeconds);
  const code = embedCode(embedLink(origin, video.id, { ...embed, start: startSeconds ?? 0 }), video.title);
  const copyAndSay = async (text: string, what: string) => {
    toast.show((await copy(text)) ? `${what} copied` : `Couldn't copy. Select the ${what.toLowerCase()} and copy it.`);
  };
  const option = (key: 'autoplay' | 'muted' | 'loop' | 'controls', label: string) => (
    <label className="checkbox">
      <input type="checkbox" checked={embed[key]} onChange={(event) => setEmbed((value) => ({ ...value, [key]: event.target.checked }))} />
      {label}
    </label>
  );

  return (
    <div className="share" data-testid="share-dialog">
      {video.visibility === 'private' ? <p className="field-hint">This video is private: only you can watch it with this link.</p> : null}
      <div className="share-row">
        <input
          id={`${ids}-link`}
          className="share-link"
          readOnly
          value={link}
          aria-label="Link to the video"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button button-primary" onClick={() => void copyAndSay(link, 'Link')}>
          Copy
        </button>
      </div>
      <div className="share-row">
        <label className="checkbox">
          <input type="checkbox" checked={startEnabled} onChange={(event) => setStartEnabled(event.target.checked)} />
          Start at
        </label>
        <input
          className="share-start"
          aria-label="Start time"
          aria-invalid={startInvalid || undefined}
          value={startText}
          disabled={!startEnabled}
          onChange={(event) => setStartText(event.target.value)}
        />
        {startInvalid ? <span className="field-error">Write a time like 1:23.</span> : null}
      </div>
      {video.visibility !== 'private' ? (
        <fieldset className="share-embed">
          <legend>Embed</legend>
          <textarea className="share-code" readOnly value={code} aria-label="Embed code" rows={4} onFocus={(event) => event.currentTarget.select()} />
          <div className="share-options">
            {option('autoplay', 'Autoplay')}
            {option('muted', 'Start muted')}
            {option('loop', 'Loop')}
            {option('controls', 'Show player controls')}
          </div>
          <div className="form-actions">
            <button type="button" className="button button-secondary" onClick={() => void copyAndSay(code, 'Embed code')}>
              Copy embed code
            </button>
          </div>
        </fieldset>
      ) : null}
    </div>
  );
}
