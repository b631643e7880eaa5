import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { User } from '@tube/shared';
import { useAuthClient } from '../auth/auth-context.tsx';
import { Icon } from './Icon.tsx';
import { Avatar } from './ui.tsx';
import { moveMenuFocus, useDismiss } from './use-dismiss.ts';

export function channelPath(user: User): string {
  return user.channel ? `/channel/${encodeURIComponent(user.channel.handle)}` : '/studio';
}

export function UserMenu({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const authClient = useAuthClient();
  const navigate = useNavigate();
  const close = useCallback(() => setOpen(false), []);
  useDismiss(containerRef, open, close);

  useEffect(() => {
    if (open) menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);

  const closeAndRefocus = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  return (
    <div className="menu-anchor" ref={containerRef}>
      <button
        ref={buttonRef}
        type="button"
        className="avatar-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={`Account menu for ${user.username}`}
        data-testid="avatar-button"
        onClick={() => setOpen((value) => !value)}
      >
        <Avatar name={user.username} />
      </button>
      {open ? (
        <div
          ref={menuRef}
          className="menu user-menu"
          role="menu"
          aria-label="Account"
          onKeyDown={(event) => {
            if (moveMenuFocus(event.currentTarget, event.key)) event.preventDefault();
            else if (event.key === 'Escape' || event.key === 'Tab') closeAndRefocus();
          }}
        >
          <div className="user-menu-header">
            <Avatar name={user.username} size={40} />
            <div>
              <div className="user-menu-name">{user.channel?.name ?? user.username}</div>
              <div className="muted">@{user.channel?.handle ?? user.username}</div>
            </div>
          </div>
          <Link role="menuitem" className="menu-item" to={channelPath(user)} onClick={close}>
            <Icon name="channel" /> Your channel
          </Link>
          <Link role="menuitem" className="menu-item" to="/channels/mine" onClick={close}>
            <Icon name="subscriptions" /> My channels
          </Link>
          <Link role="menuitem" className="menu-item" to="/studio" onClick={close}>
            <Icon name="studio" /> Tube Studio
          </Link>
          <Link role="menuitem" className="menu-item" to="/feed/library" onClick={close}>
            <Icon name="library" /> Library
          </Link>
          <Link role="menuitem" className="menu-item" to="/settings/sessions" onClick={close}>
            <Icon name="devices" /> Sessions
          </Link>
          {user.role === 'admin' ? (
            <Link role="menuitem" className="menu-item" to="/admin/reports" onClick={close}>
              <Icon name="shield" /> Reports
            </Link>
          ) : null}
          <hr />
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={async () => {
              close();
              await authClient.signOut();
              navigate('/');
            }}
          >
            <Icon name="signOut" /> Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}
