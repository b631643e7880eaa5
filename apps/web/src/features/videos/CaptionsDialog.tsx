import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CaptionList } from '@tube/shared';
import { CAPTION_LANGUAGE_PATTERN } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useToast } from '../../components/toasts.tsx';
import { Dialog, Field } from '../../components/ui.tsx';
import { videoKeys, videosApi } from './api.ts';
import './captions-dialog.css';

const LANGUAGE = new RegExp(CAPTION_LANGUAGE_PATTERN);

/** For the video's owner: the caption tracks, upload a WebVTT or SRT file per language, remove one. */
export function CaptionsDialog({ videoId, tracks, open, onClose }: { videoId: string; tracks: CaptionList['items']; open: boolean; onClose(): void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [language, setLanguage] = useState('en');
  const [label, setLabel] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const saved = (list: CaptionList) => queryClient.setQueryData(videoKeys.captions(videoId), list);
  const upload = useMutation({
    mutationFn: (chosen: { language: string; label: string; file: File }) =>
      videosApi.uploadCaptions(videoId, chosen.language, chosen.file, chosen.label || null),
    onSuccess: (list) => {
      saved(list);
      setFile(null);
      setShowErrors(false);
      toast.show('Captions saved');
    },
  });
  const remove = useMutation({ mutationFn: (chosen: string) => videosApi.deleteCaptions(videoId, chosen), onSuccess: saved });
  const languageError = LANGUAGE.test(language.trim()) ? undefined : 'Write a language code like en, fr or pt-BR.';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (!languageError && file) upload.mutate({ language: language.trim(), label: label.trim(), file });
  };
  return (
    <Dialog open={open} title="Captions" onClose={onClose}>
      <div className="captions-dialog" data-testid="captions-dialog">
        {tracks.length > 0 ? (
          <ul className="captions-list">
            {tracks.map((track) => (
              <li key={track.language}>
                <span>
                  {track.label}{' '}
                  <span className="muted">
                    ({track.language}, {track.cueCount} lines)
                  </span>
                </span>
                <button
                  type="button"
                  className="button button-text"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(track.language)}
                  aria-label={`Remove ${track.label} captions`}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No captions yet.</p>
        )}
        {remove.isError ? <p className="form-error">{describeError(remove.error)}</p> : null}
        <form onSubmit={submit} noValidate>
          {upload.isError ? <p className="form-error">{describeError(upload.error)}</p> : null}
          <Field label="Language" hint="A code like en, fr or pt-BR" error={showErrors ? languageError : undefined}>
            {(control) => <input {...control} value={language} onChange={(event) => setLanguage(event.target.value)} />}
          </Field>
          <Field label="Name in the menu (optional)" hint="Defaults to the language's name">
            {(control) => <input {...control} value={label} maxLength={60} onChange={(event) => setLabel(event.target.value)} />}
          </Field>
          <Field label="Caption file (WebVTT or SRT)" error={showErrors && !file ? 'Choose a .vtt or .srt file.' : undefined}>
            {(control) => (
              <input {...control} type="file" accept=".vtt,.srt,text/vtt,application/x-subrip" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
            )}
          </Field>
          <div className="form-actions">
            <button type="button" className="button button-text" onClick={onClose}>
              Close
            </button>
            <button type="submit" className="button button-primary" disabled={upload.isPending}>
              {upload.isPending ? 'Uploading…' : 'Upload captions'}
            </button>
          </div>
        </form>
      </div>
    </Dialog>
  );
}
