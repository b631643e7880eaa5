import { useCallback, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { useDismiss } from './use-dismiss.ts';

/**
 * For anonymous viewers: a control that looks like the real one (Subscribe, Like, Save…) and opens a
 * small invitation to sign in and come back here.
 */
export function SignInPopover({
  trigger,
  triggerLabel,
  className,
  title,
  message,
}: {
  trigger: ReactNode;
  triggerLabel?: string;
  className: string;
  title: string;
  message: string;
}) {
  const [open, setOpen] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const location = useLocation();
  const close = useCallback(() => setOpen(false), []);
  useDismiss(containerRef, open, close);
  return (
    <div className="menu-anchor" ref={containerRef}>
      <button type="button" className={className} aria-label={triggerLabel} aria-expanded={open} onClick={() => setOpen((value) => !value)}>
        {trigger}
      </button>
      {open ? (
        <div className="menu popover" role="dialog" aria-label={title}>
          <p className="popover-title">{title}</p>
          <p className="muted">{message}</p>
          <Link to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} className="button button-outline">
            Sign in
          </Link>
        </div>
      ) : null}
    </div>
  );
}
