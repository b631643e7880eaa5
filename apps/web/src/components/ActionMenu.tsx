import { useCallback, useEffect, useRef, useState } from 'react';
import { Icon, type IconName } from './Icon.tsx';
import { moveMenuFocus, useDismiss } from './use-dismiss.ts';

export interface MenuAction {
  label: string;
  icon: IconName;
  onSelect(): void;
}

/** A "⋮" button opening a keyboard-operable menu of actions. Renders nothing when there are none. */
export function ActionMenu({ label, actions, className }: { label: string; actions: MenuAction[]; className?: string }) {
  const [open, setOpen] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(containerRef, open, close);
  useEffect(() => {
    if (open) menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);
  if (actions.length === 0) return null;
  const closeAndRefocus = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  return (
    <div className={className ? `menu-anchor ${className}` : 'menu-anchor'} ref={containerRef}>
      <button ref={buttonRef} type="button" className="icon-button" aria-label={label} aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((value) => !value)}>
        <Icon name="moreVert" />
      </button>
      {open ? (
        <div
          ref={menuRef}
          className="menu action-menu"
          role="menu"
          aria-label={label}
          onKeyDown={(event) => {
            if (moveMenuFocus(event.currentTarget, event.key)) event.preventDefault();
            else if (event.key === 'Escape' || event.key === 'Tab') closeAndRefocus();
          }}
        >
          {actions.map((action) => (
            <button
              key={action.label}
              type="button"
              role="menuitem"
              className="menu-item"
              onClick={() => {
                setOpen(false);
                action.onSelect();
              }}
            >
              <Icon name={action.icon} /> {action.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
