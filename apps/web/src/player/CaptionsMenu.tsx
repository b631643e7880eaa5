import type { CaptionTrack } from '@tube/shared';
import { Menu } from '../components/Menu.tsx';
import { CAPTION_BACKGROUNDS, CAPTION_SIZES, type CaptionBackground, type CaptionPreferences } from '../lib/captions.ts';

const BACKGROUND_LABELS: Record<CaptionBackground, string> = { transparent: 'None', semi: 'Semi-transparent', opaque: 'Solid' };

interface CaptionsMenuProps {
  tracks: readonly CaptionTrack[];
  showing: CaptionTrack | null;
  preferences: CaptionPreferences;
  onChange(preferences: CaptionPreferences): void;
}

/** The CC menu: Off or a language, then caption size and background. */
export function CaptionsMenu({ tracks, showing, preferences, onChange }: CaptionsMenuProps) {
  const item = (key: string, label: string, checked: boolean, onSelect: () => void) => (
    <button key={key} type="button" role="menuitemradio" aria-checked={checked} className="menu-item" onClick={onSelect}>
      <span className="menu-check" aria-hidden="true">
        {checked ? '✓' : ''}
      </span>
      <span>{label}</span>
    </button>
  );

  return (
    <Menu
      button={{
        className: 'icon-button player-cc-button',
        label: `Subtitles/closed captions (c): ${showing ? showing.label : 'off'}`,
        testId: 'captions-button',
        active: showing !== null,
        content: (
          <span className="player-cc-glyph" aria-hidden="true">
            CC
          </span>
        ),
      }}
      menu={{ className: 'menu quality-menu captions-menu', label: 'Subtitles/closed captions', testId: 'captions-menu' }}
      focusOnOpen={['[aria-checked="true"]']}
    >
      {() => (
        <>
          <div className="quality-menu-title">Subtitles/CC</div>
          <div role="group" aria-label="Language">
            {item('off', 'Off', showing === null, () => onChange({ ...preferences, enabled: false }))}
            {tracks.map((track) =>
              item(track.language, track.label, showing?.language === track.language, () =>
                onChange({ ...preferences, enabled: true, language: track.language }),
              ),
            )}
          </div>
          <div role="group" aria-label="Caption size">
            <div className="quality-menu-title captions-menu-section">Size</div>
            {CAPTION_SIZES.map((size) =>
              item(`size-${size}`, `${Math.round(size * 100)}%`, preferences.size === size, () => onChange({ ...preferences, size })),
            )}
          </div>
          <div role="group" aria-label="Caption background">
            <div className="quality-menu-title captions-menu-section">Background</div>
            {CAPTION_BACKGROUNDS.map((background) =>
              item(`background-${background}`, BACKGROUND_LABELS[background], preferences.background === background, () =>
                onChange({ ...preferences, background }),
              ),
            )}
          </div>
        </>
      )}
    </Menu>
  );
}
