import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { moveMenuFocus, useDismiss } from './use-dismiss.ts';
import './menu.css';

/** Closes the menu; `refocus` puts focus back on the button that opened it (after a keyboard choice). */
export type CloseMenu = (options?: { refocus?: boolean }) => void;

export interface MenuProps {
  /** The button that opens the menu: its look and accessible name. */
  button: {
    className: string;
    label: string;
    content: ReactNode;
    testId?: string;
    /** Marks the button as showing an active state (e.g. captions on). */
    active?: boolean;
  };
  /** The popup: its class and accessible name. */
  menu: { className: string; label: string; testId?: string };
  anchorClassName?: string;
  /** Where focus lands when the menu opens: the first selector that matches (default: the first item). */
  focusOnOpen?: readonly string[];
  /** Tab leaves and closes the menu (page menus); the player's menus stay open while Tab moves through its controls. */
  closeOnTab?: boolean;
  children(close: CloseMenu): ReactNode;
}

const FIRST_ITEM = ['[role^="menuitem"]'];

/**
 * A button with a popup menu (WAI-ARIA menu button): arrow keys, Home and End move between the items, Escape closes
 * and returns focus to the button, a press outside closes it. Every popup menu of the app is one of these.
 */
export function Menu({ button, menu, anchorClassName = 'menu-anchor', focusOnOpen = FIRST_ITEM, closeOnTab = false, children }: MenuProps) {
  const [open, setOpen] = useState(false);
  const anchorRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const dismiss = useCallback(() => setOpen(false), []);
  useDismiss(anchorRef, open, dismiss);
  const focusSelectors = focusOnOpen.join('\n');
  useEffect(() => {
    if (!open) return;
    for (const selector of focusSelectors.split('\n')) {
      const target = menuRef.current?.querySelector<HTMLElement>(selector);
      if (target) {
        target.focus();
        return;
      }
    }
  }, [open, focusSelectors]);
  const close: CloseMenu = (options) => {
    setOpen(false);
    if (options?.refocus) buttonRef.current?.focus();
  };
  return (
    <div className={anchorClassName} ref={anchorRef}>
      <button
        ref={buttonRef}
        type="button"
        className={button.className}
        aria-label={button.label}
        aria-haspopup="menu"
        aria-expanded={open}
        data-active={button.active ? true : undefined}
        data-testid={button.testId}
        onClick={() => setOpen((value) => !value)}
      >
        {button.content}
      </button>
      {open ? (
        <div
          ref={menuRef}
          className={menu.className}
          role="menu"
          aria-label={menu.label}
          data-testid={menu.testId}
          onKeyDown={(event) => {
            if (moveMenuFocus(event.currentTarget, event.key)) event.preventDefault();
            else if (event.key === 'Escape') {
              event.preventDefault();
              close({ refocus: true });
            } else if (event.key === 'Tab' && closeOnTab) close({ refocus: true });
          }}
        >
          {children(close)}
        </div>
      ) : null}
    </div>
  );
}
