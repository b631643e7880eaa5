import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, NavLink, useLocation } from 'react-router-dom';
import { rememberPath } from '../lib/traffic-source.ts';
import type { User } from '@tube/shared';
import { useAuth } from '../api/auth-context.tsx';
import { Icon, type IconName } from '../components/Icon.tsx';
import { NotificationBell } from '../features/notifications/NotificationBell.tsx';
import { SearchBox } from '../features/search/SearchBox.tsx';
import { ThemeSwitch } from '../components/ThemeSwitch.tsx';
import { channelPath, UserMenu } from '../components/UserMenu.tsx';
import './layout.css';

const NAV_PREFERENCE_KEY = 'tube.navExpanded';
const WIDE_SCREEN_QUERY = '(min-width: 1100px)';

function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const onChange = () => setMatches(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, [query]);
  return matches;
}

function readNavPreference(): boolean {
  try {
    return window.localStorage.getItem(NAV_PREFERENCE_KEY) !== 'false';
  } catch {
    return true;
  }
}

export function Layout({ children }: { children: ReactNode }) {
  const wideScreen = useMediaQuery(WIDE_SCREEN_QUERY);
  const [expandedOnWideScreen, setExpandedOnWideScreen] = useState(readNavPreference);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const location = useLocation();
  // The watch page uses the whole width, like YouTube: the guide becomes a drawer there.
  const guideAsDrawer = !wideScreen || location.pathname.startsWith('/watch/');

  const closeDrawer = useCallback(() => setDrawerOpen(false), []);
  useEffect(closeDrawer, [location.pathname, location.search, closeDrawer]);
  // Analytics beacons report where a viewer came from (search, another page, outside).
  useEffect(() => rememberPath(`${location.pathname}${location.search}`), [location.pathname, location.search]);

  const toggleNav = () => {
    if (guideAsDrawer) {
      setDrawerOpen((open) => !open);
      return;
    }
    setExpandedOnWideScreen((expanded) => {
      try {
        window.localStorage.setItem(NAV_PREFERENCE_KEY, String(!expanded));
      } catch {
        // Preference just won't persist.
      }
      return !expanded;
    });
  };

  const navMode = guideAsDrawer ? 'drawer' : expandedOnWideScreen ? 'expanded' : 'mini';

  return (
    <div className="app" data-nav={navMode} data-watch={location.pathname.startsWith('/watch/') || undefined}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar onToggleNav={toggleNav} navOpen={guideAsDrawer ? drawerOpen : expandedOnWideScreen} />
      {guideAsDrawer ? (
        drawerOpen ? (
          <>
            <div className="drawer-backdrop" onClick={closeDrawer} />
            <SideNav variant="drawer" onClose={closeDrawer} />
          </>
        ) : null
      ) : (
        <SideNav variant={expandedOnWideScreen ? 'expanded' : 'mini'} />
      )}
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
      <BottomNav />
    </div>
  );
}

function TopBar({ onToggleNav, navOpen }: { onToggleNav: () => void; navOpen: boolean }) {
  const { status, user } = useAuth();
  const [searchOpenOnMobile, setSearchOpenOnMobile] = useState(false);
  const location = useLocation();
  return (
    <header className="topbar" data-search-open={searchOpenOnMobile || undefined}>
      <div className="topbar-start">
        <button type="button" className="icon-button" aria-label="Menu" aria-expanded={navOpen} onClick={onToggleNav}>
          <Icon name="menu" />
        </button>
        <Logo />
      </div>
      <SearchBox key={location.pathname === '/results' ? 'results' : 'other'} onCloseMobile={() => setSearchOpenOnMobile(false)} />
      <div className="topbar-end">
        <ThemeSwitch />
        <button type="button" className="icon-button search-toggle" aria-label="Search" onClick={() => setSearchOpenOnMobile(true)}>
          <Icon name="search" />
        </button>
        <Link to="/upload" className="button button-secondary create-button" aria-label="Upload a video">
          <Icon name="add" />
          <span className="create-label">Create</span>
        </Link>
        {status === 'signedIn' && user ? <NotificationBell key={user.id} /> : null}
        {status === 'signedIn' && user ? (
          <UserMenu user={user} />
        ) : status === 'loading' ? (
          <span className="avatar-placeholder" aria-hidden="true" />
        ) : (
          <Link to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} className="button button-outline sign-in-button">
            <Icon name="channel" />
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}

export function Logo() {
  return (
    <Link to="/" className="logo" aria-label="Tube home">
      {/* Tube's own mark: a lens-like ring around a "T", not a red play button. */}
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true" data-testid="logo-mark">
        <defs>
          <linearGradient id="tube-logo-gradient" x1="0" y1="0" x2="1" y2="1">
            <stop offset="0" stopColor="#7c5cff" />
            <stop offset="1" stopColor="#00b8d9" />
          </linearGradient>
        </defs>
        <circle cx="16" cy="16" r="15" fill="url(#tube-logo-gradient)" />
        <circle cx="16" cy="16" r="10.5" fill="none" stroke="#fff" strokeOpacity="0.35" strokeWidth="2" />
        <path d="M10 10.5h12v3.2h-4.4V23h-3.2v-9.3H10z" fill="#fff" />
      </svg>
      <span className="logo-text">Tube</span>
    </Link>
  );
}

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  signedInOnly?: boolean;
}

function navItems(user: User | null): { main: NavItem[]; you: NavItem[]; admin: NavItem[] } {
  return {
    main: [
      { to: '/', label: 'Home', icon: 'home' },
      { to: '/feed/trending', label: 'Trending', icon: 'trending' },
      { to: '/feed/subscriptions', label: 'Subscriptions', icon: 'subscriptions' },
    ],
    you: [
      { to: '/feed/library', label: 'Library', icon: 'library', signedInOnly: true },
      { to: '/feed/history', label: 'History', icon: 'history', signedInOnly: true },
      { to: '/feed/playlists', label: 'Playlists', icon: 'playlist', signedInOnly: true },
      { to: '/playlist/watch-later', label: 'Watch later', icon: 'watchLater', signedInOnly: true },
      { to: '/feed/liked', label: 'Liked videos', icon: 'thumbUp', signedInOnly: true },
      { to: user ? channelPath(user) : '/signin', label: 'Your channel', icon: 'channel', signedInOnly: true },
      { to: '/studio', label: 'Studio', icon: 'studio', signedInOnly: true },
      { to: '/upload', label: 'Upload', icon: 'upload', signedInOnly: true },
      { to: '/settings/sessions', label: 'Sessions', icon: 'devices', signedInOnly: true },
    ],
    admin: user?.role === 'admin' ? [{ to: '/admin/reports', label: 'Reports', icon: 'shield', signedInOnly: true }] : [],
  };
}

function SideNav({ variant, onClose }: { variant: 'expanded' | 'mini' | 'drawer'; onClose?: () => void }) {
  const { user } = useAuth();
  const navRef = useRef<HTMLElement>(null);
  useEffect(() => {
    if (variant !== 'drawer') return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    navRef.current?.querySelector<HTMLElement>('button, a')?.focus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose?.();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      opener?.focus();
    };
  }, [variant, onClose]);
  const { main, you, admin } = navItems(user);
  const renderItem = (item: NavItem) => (
    <li key={item.label}>
      <NavLink to={item.to} end={item.to === '/'} className="nav-item" onClick={onClose}>
        <Icon name={item.icon} />
        <span className="nav-label">{item.label}</span>
      </NavLink>
    </li>
  );
  return (
    <nav ref={navRef} className={`sidenav sidenav-${variant}`} aria-label="Main">
      {variant === 'drawer' ? (
        <div className="drawer-header">
          <button type="button" className="icon-button" aria-label="Close menu" onClick={onClose}>
            <Icon name="menu" />
          </button>
          <Logo />
        </div>
      ) : null}
      <ul>{main.map(renderItem)}</ul>
      {variant === 'mini' ? (
        user ? (
          <ul>{you.slice(0, 1).map(renderItem)}</ul>
        ) : null
      ) : (
        <>
          <hr />
          {user ? (
            <>
              <h2 className="nav-heading">You</h2>
              <ul>{you.map(renderItem)}</ul>
              {admin.length > 0 ? (
                <>
                  <hr />
                  <h2 className="nav-heading">Moderation</h2>
                  <ul>{admin.map(renderItem)}</ul>
                </>
              ) : null}
            </>
          ) : (
            <div className="nav-signin">
              <p>Sign in to like videos, comment and subscribe.</p>
              <Link to="/signin" className="button button-outline" onClick={onClose}>
                <Icon name="channel" /> Sign in
              </Link>
            </div>
          )}
          <hr />
          <p className="nav-footer">Tube · a self-hosted video platform</p>
        </>
      )}
    </nav>
  );
}

function BottomNav() {
  const { user } = useAuth();
  return (
    <nav className="bottomnav" aria-label="Shortcuts">
      <NavLink to="/" end className="bottomnav-item">
        <Icon name="home" />
        <span>Home</span>
      </NavLink>
      <NavLink to="/feed/subscriptions" className="bottomnav-item">
        <Icon name="subscriptions" />
        <span>Subscriptions</span>
      </NavLink>
      <NavLink to="/upload" className="bottomnav-item">
        <Icon name="add" />
        <span>Upload</span>
      </NavLink>
      <NavLink to={user ? '/feed/library' : '/signin'} className="bottomnav-item">
        <Icon name={user ? 'library' : 'signIn'} />
        <span>{user ? 'You' : 'Sign in'}</span>
      </NavLink>
    </nav>
  );
}
