import { Icon } from '../components/Icon.tsx';
import { Menu } from '../components/Menu.tsx';
import { formatBitrate } from '../lib/format.ts';
import type { QualityLevel, StreamEngine } from './use-stream.ts';

interface QualityMenuProps {
  engine: StreamEngine;
  levels: QualityLevel[];
  currentLevel: number;
  selectedLevel: number;
  onSelect(index: number): void;
  /** More entries under the renditions (e.g. "Stats for nerds"). */
  extraItems?: ReadonlyArray<{ label: string; onSelect(): void }>;
}

/** The gear menu: Auto plus one entry per rendition, highest first (as on YouTube). */
export function QualityMenu({ engine, levels, currentLevel, selectedLevel, onSelect, extraItems = [] }: QualityMenuProps) {
  const playingLabel = levels.find((level) => level.index === currentLevel)?.label;
  const buttonLabel = selectedLevel === -1 ? (playingLabel ? `Auto (${playingLabel})` : 'Auto') : (playingLabel ?? 'Auto');
  const sortedLevels = [...levels].sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);

  return (
    <Menu
      button={{ className: 'icon-button', label: `Quality: ${buttonLabel}`, testId: 'quality-button', content: <Icon name="settings" /> }}
      menu={{ className: 'menu quality-menu', label: 'Quality', testId: 'quality-menu' }}
      focusOnOpen={['[aria-checked="true"]', '[role="menuitemradio"]']}
    >
      {(close) => {
        const choose = (index: number) => {
          onSelect(index);
          close({ refocus: true });
        };
        return (
          <>
            <div className="quality-menu-title">Quality</div>
            {sortedLevels.map((level) => (
              <button
                key={level.index}
                type="button"
                role="menuitemradio"
                aria-checked={selectedLevel === level.index}
                className="menu-item"
                data-level={level.index}
                onClick={() => choose(level.index)}
              >
                <Icon name="check" size={18} />
                <span>{level.label}</span>
                <span className="quality-bitrate">{formatBitrate(level.bitrate)}</span>
              </button>
            ))}
            <button
              type="button"
              role="menuitemradio"
              aria-checked={selectedLevel === -1}
              className="menu-item"
              data-level={-1}
              onClick={() => choose(-1)}
              disabled={engine !== 'hls.js' && engine !== 'native'}
            >
              <Icon name="check" size={18} />
              <span>{selectedLevel === -1 && playingLabel ? `Auto (${playingLabel})` : 'Auto'}</span>
            </button>
            {engine === 'native' ? <p className="quality-note">Your browser picks the quality automatically for this video.</p> : null}
            {extraItems.map((item) => (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                className="menu-item quality-menu-extra"
                onClick={() => {
                  item.onSelect();
                  close();
                }}
              >
                <span>{item.label}</span>
              </button>
            ))}
          </>
        );
      }}
    </Menu>
  );
}
