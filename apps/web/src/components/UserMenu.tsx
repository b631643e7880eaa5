import { Link, useNavigate } from 'react-router-dom';
import type { User } from '@tube/shared';
import { useAuthClient } from '../api/auth-context.tsx';
import { Icon } from './Icon.tsx';
import { Avatar } from './ui.tsx';
import { Menu } from './Menu.tsx';

export function channelPath(user: User): string {
  return user.channel ? `/channel/${encodeURIComponent(user.channel.handle)}` : '/studio';
}

export function UserMenu({ user }: { user: User }) {
  const authClient = useAuthClient();
  const navigate = useNavigate();
  return (
    <Menu
      button={{ className: 'avatar-button', label: `Account menu for ${user.username}`, testId: 'avatar-button', content: <Avatar name={user.username} /> }}
      menu={{ className: 'menu user-menu', label: 'Account' }}
      focusOnOpen={['[role="menuitem"]']}
      closeOnTab
    >
      {(close) => (
        <>
          <div className="user-menu-header">
            <Avatar name={user.username} size={40} />
            <div>
              <div className="user-menu-name">{user.channel?.name ?? user.username}</div>
              <div className="muted">@{user.channel?.handle ?? user.username}</div>
            </div>
          </div>
          <Link role="menuitem" className="menu-item" to={channelPath(user)} onClick={() => close()}>
            <Icon name="channel" /> Your channel
          </Link>
          <Link role="menuitem" className="menu-item" to="/channels/mine" onClick={() => close()}>
            <Icon name="subscriptions" /> My channels
          </Link>
          <Link role="menuitem" className="menu-item" to="/studio" onClick={() => close()}>
            <Icon name="studio" /> Tube Studio
          </Link>
          <Link role="menuitem" className="menu-item" to="/feed/library" onClick={() => close()}>
            <Icon name="library" /> Library
          </Link>
          <Link role="menuitem" className="menu-item" to="/settings" onClick={() => close()}>
            <Icon name="settings" /> Settings
          </Link>
          <Link role="menuitem" className="menu-item" to="/settings/sessions" onClick={() => close()}>
            <Icon name="devices" /> Sessions
          </Link>
          {user.role === 'admin' ? (
            <Link role="menuitem" className="menu-item" to="/admin/reports" onClick={() => close()}>
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
              await navigate('/');
            }}
          >
            <Icon name="signOut" /> Sign out
          </button>
        </>
      )}
    </Menu>
  );
}
