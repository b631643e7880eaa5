import { Menu } from '../components/Menu.tsx';
import { formatSpeed, PLAYBACK_SPEEDS } from './playback-speed.ts';

/** Playback speed: 0.25×–2× (also `<` and `>`). */
export function SpeedMenu({ speed, onSelect }: { speed: number; onSelect(speed: number): void }) {
  return (
    <Menu
      button={{ className: 'icon-button player-speed-button', label: `Playback speed: ${formatSpeed(speed)}`, testId: 'speed-button', content: `${speed}×` }}
      menu={{ className: 'menu quality-menu', label: 'Playback speed', testId: 'speed-menu' }}
      focusOnOpen={['[aria-checked="true"]']}
    >
      {(close) => (
        <>
          <div className="quality-menu-title">Playback speed</div>
          {PLAYBACK_SPEEDS.map((option) => (
            <button
              key={option}
              type="button"
              role="menuitemradio"
              aria-checked={option === speed}
              className="menu-item"
              onClick={() => {
                onSelect(option);
                close({ refocus: true });
              }}
            >
              <span className="menu-check" aria-hidden="true">
                {option === speed ? '✓' : ''}
              </span>
              <span>{formatSpeed(option)}</span>
            </button>
          ))}
        </>
      )}
    </Menu>
  );
}
