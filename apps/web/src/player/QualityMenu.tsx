import { useCallback, useEffect, useRef, useState } from 'react';
import { Icon } from '../components/Icon.tsx';
import { moveMenuFocus, useDismiss } from '../components/use-dismiss.ts';
import { formatBitrate } from '../lib/format.ts';
import type { QualityLevel, StreamEngine } from './use-stream.ts';

interface QualityMenuProps {
  engine: StreamEngine;
  levels: QualityLevel[];
  currentLevel: number;
  selectedLevel: number;
  onSelect(index: number): void;
}

/** The gear menu: Auto plus one entry per rendition, highest first (as on YouTube). */
export function QualityMenu({ engine, levels, currentLevel, selectedLevel, onSelect }: QualityMenuProps) {
  const [open, setOpen] = useState(false);
  const anchorRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(anchorRef, open, close);

  useEffect(() => {
    if (!open) return;
    const checked = menuRef.current?.querySelector<HTMLElement>('[aria-checked="true"]');
    (checked ?? menuRef.current?.querySelector<HTMLElement>('[role="menuitemradio"]'))?.focus();
  }, [open]);

  const playingLabel = levels.find((level) => level.index === currentLevel)?.label;
  const buttonLabel = selectedLevel === -1 ? (playingLabel ? `Auto (${playingLabel})` : 'Auto') : (playingLabel ?? 'Auto');
  const sortedLevels = [...levels].sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);

  const choose = (index: number) => {
    onSelect(index);
    setOpen(false);
    buttonRef.current?.focus();
  };

  return (
    <div className="menu-anchor" ref={anchorRef}>
      <button
        ref={buttonRef}
        type="button"
        className="icon-button"
        aria-label={`Quality: ${buttonLabel}`}
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="quality-button"
        onClick={() => setOpen((value) => !value)}
      >
        <Icon name="settings" />
      </button>
      {open ? (
        <div
          ref={menuRef}
          className="menu quality-menu"
          role="menu"
          aria-label="Quality"
          data-testid="quality-menu"
          onKeyDown={(event) => {
            if (moveMenuFocus(event.currentTarget, event.key)) event.preventDefault();
            else if (event.key === 'Escape') {
              event.preventDefault();
              setOpen(false);
              buttonRef.current?.focus();
            }
          }}
        >
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
        </div>
      ) : null}
    </div>
  );
}
