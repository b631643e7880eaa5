import type { CaptionTrack } from '@tube/shared';
import { activeCues, cueRuns, type CaptionPreferences, type CaptionCue } from '../lib/captions.ts';

interface CaptionOverlayProps {
  track: CaptionTrack;
  cues: readonly CaptionCue[];
  currentTime: number;
  preferences: CaptionPreferences;
}

/** The cues showing at `currentTime`, drawn over the video with the viewer's size and background. */
export function CaptionOverlay({ track, cues, currentTime, preferences }: CaptionOverlayProps) {
  return (
    <div
      className="player-captions"
      data-background={preferences.background}
      style={{ ['--caption-scale' as string]: String(preferences.size) }}
      data-testid="player-captions"
      lang={track.language}
      aria-live="off"
    >
      {activeCues(cues, currentTime).map((cue) => (
        <span key={`${cue.start}-${cue.end}-${cue.text}`} className="player-caption-cue">
          {cueRuns(cue.text).map((run, index) => {
            const style = {
              fontWeight: run.bold ? 700 : undefined,
              fontStyle: run.italic ? 'italic' : undefined,
              textDecoration: run.underline ? 'underline' : undefined,
            };
            return (
              <span key={index} style={style}>
                {run.text}
              </span>
            );
          })}
        </span>
      ))}
    </div>
  );
}
