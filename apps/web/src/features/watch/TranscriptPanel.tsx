import { useEffect, useMemo, useRef, useState } from 'react';
import type { CaptionTrack } from '@tube/shared';
import { formatDuration } from '../../lib/format.ts';
import { plainCueText, searchTranscript, transcriptIndexAt } from '../../lib/captions.ts';
import { useCaptionCues } from '../../player/use-caption-cues.ts';
import './transcript.css';

/** The captions as a list beside the video: the line being spoken highlighted, click to seek, search. */
export function TranscriptPanel({ tracks, media }: { tracks: readonly CaptionTrack[]; media: HTMLVideoElement | null }) {
  const [language, setLanguage] = useState(tracks[0]?.language ?? '');
  const track = tracks.find((candidate) => candidate.language === language) ?? tracks[0] ?? null;
  const cues = useCaptionCues(track?.url ?? null);
  const [query, setQuery] = useState('');
  const [time, setTime] = useState(0);
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (!media) return;
    const update = () => setTime(media.currentTime);
    update();
    media.addEventListener('timeupdate', update);
    media.addEventListener('seeked', update);
    return () => {
      media.removeEventListener('timeupdate', update);
      media.removeEventListener('seeked', update);
    };
  }, [media]);
  const matches = useMemo(() => searchTranscript(cues, query), [cues, query]);
  const current = transcriptIndexAt(cues, time);
  useEffect(() => {
    if (query) return;
    const list = listRef.current;
    const element = list?.querySelector<HTMLElement>('[aria-current="true"]');
    // Keep the spoken line in view inside the panel without scrolling the page.
    if (list && element) list.scrollTop = Math.max(0, element.offsetTop - list.offsetTop - list.clientHeight / 3);
  }, [current, query]);

  return (
    <details className="transcript" data-testid="transcript">
      <summary>Transcript</summary>
      <div className="transcript-tools">
        {tracks.length > 1 ? (
          <select aria-label="Transcript language" value={track?.language ?? ''} onChange={(event) => setLanguage(event.target.value)}>
            {tracks.map((option) => (
              <option key={option.language} value={option.language}>
                {option.label}
              </option>
            ))}
          </select>
        ) : null}
        <input type="search" placeholder="Search transcript" aria-label="Search transcript" value={query} onChange={(event) => setQuery(event.target.value)} />
      </div>
      {query && matches.length === 0 ? <p className="muted transcript-empty">No lines match “{query}”.</p> : null}
      <ol className="transcript-lines" ref={listRef}>
        {matches.map((index) => {
          const cue = cues[index]!;
          return (
            <li key={index}>
              <button
                type="button"
                className="transcript-line"
                aria-current={index === current ? true : undefined}
                onClick={() => {
                  if (media) media.currentTime = cue.start;
                }}
              >
                <span className="transcript-time">{formatDuration(cue.start)}</span>
                <span>{plainCueText(cue.text)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </details>
  );
}
