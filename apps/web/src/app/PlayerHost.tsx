import {
  createContext,
  lazy,
  Suspense,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
  type RefObject,
} from 'react';
import { createPortal } from 'react-dom';
import { useNavigate } from 'react-router-dom';
import { useAuth } from '../api/auth-context.tsx';
import { Icon } from '../components/Icon.tsx';
import { useWatchProgress } from '../features/history/use-watch-progress.ts';
import type { PlayerProps } from '../player/Player.tsx';
import './mini-player.css';

// The player (and hls.js behind it) loads with the first watch page, not with the app shell.
const Player = lazy(() => import('../player/Player.tsx').then((module) => ({ default: module.Player })));

/**
 * The mini player. The one <Player> of the app lives here, above the routes, rendered through a portal
 * into a `div` that is moved (not re-created) between the watch page's slot and the docked mini player:
 * moving a media element keeps it playing, so leaving the watch page neither restarts nor reloads the video.
 */
interface Session {
  /** Same key, same element: a different video (or a new generation of the stream) mounts a new player. */
  key: string;
  props: PlayerProps;
  /** The watch page to go back to when the mini player is expanded. */
  returnTo: string;
  /** Keep saving the viewer's position while docked (the watch page's own saver is gone with the page). */
  saveProgress: boolean;
}

interface HostActions {
  attach(slot: HTMLElement, session: Session): void;
  update(session: Session): void;
  detach(slot: HTMLElement): void;
  /** The mini player button and `i`: dock the player and go back to where the viewer came from. */
  openMini(): void;
}

const PlayerHostContext = createContext<HostActions | null>(null);

type Mode = 'page' | 'mini';

export function PlayerHostProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [session, setSession] = useState<Session | null>(null);
  const [mode, setMode] = useState<Mode>('page');
  const [media, setMedia] = useState<HTMLVideoElement | null>(null);
  const [host] = useState(() => {
    const element = document.createElement('div');
    element.className = 'player-host';
    return element;
  });
  const dockRef = useRef<HTMLDivElement>(null);
  const slotRef = useRef<HTMLElement | null>(null);
  const mediaRef = useRef(media);
  mediaRef.current = media;
  const miniRequestedRef = useRef(false);

  const actions = useMemo<HostActions>(
    () => ({
      attach(slot, next) {
        slotRef.current = slot;
        miniRequestedRef.current = false;
        slot.appendChild(host);
        setSession(next);
        setMode('page');
      },
      update(next) {
        setSession((current) => (current?.key === next.key ? { ...current, props: next.props, saveProgress: next.saveProgress } : current));
      },
      detach(slot) {
        if (slotRef.current !== slot) return;
        slotRef.current = null;
        // Synchronously, before React removes the slot: the element must stay in the document to keep playing.
        dockRef.current?.appendChild(host);
        const video = mediaRef.current;
        const playing = video !== null && !video.paused && !video.ended;
        const stillWatching = window.location.pathname.startsWith('/watch/');
        if (miniRequestedRef.current || (playing && !stillWatching)) setMode('mini');
        else setSession(null);
        miniRequestedRef.current = false;
      },
      openMini() {
        miniRequestedRef.current = true;
        const state: unknown = window.history.state;
        const index = typeof state === 'object' && state !== null && 'idx' in state && typeof state.idx === 'number' ? state.idx : 0;
        if (index > 0) void navigate(-1);
        else void navigate('/');
      },
    }),
    [host, navigate],
  );

  // Where the player is shown: the watch page's slot, or the dock.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new session may come with a new slot (kept in a ref).
  useLayoutEffect(() => {
    const target = mode === 'page' ? slotRef.current : dockRef.current;
    if (target && host.parentElement !== target) target.appendChild(host);
  }, [mode, session, host]);

  const { status: authStatus } = useAuth();
  const docked = mode === 'mini';
  const saveDockedProgress = useWatchProgress(
    session?.props.playback.videoId ?? '',
    docked && session !== null && session.saveProgress && authStatus !== 'loading',
    authStatus === 'signedIn' ? 'server' : 'local',
  );

  const close = useCallback(() => {
    // Closing is leaving the video: where it stopped is where the next visit resumes.
    if (mediaRef.current) saveDockedProgress?.(mediaRef.current.currentTime, 'stopped');
    setSession(null);
    setMode('page');
  }, [saveDockedProgress]);

  const props = session?.props;
  const pageMediaElement = props?.onMediaElement;
  const onMediaElement = useCallback(
    (video: HTMLVideoElement | null) => {
      setMedia(video);
      pageMediaElement?.(video);
    },
    [pageMediaElement],
  );

  return (
    <PlayerHostContext.Provider value={actions}>
      {children}
      {session && props
        ? createPortal(
            <Suspense fallback={null}>
              <Player
                key={session.key}
                {...props}
                controls={!docked && props.controls !== false}
                keyboardShortcuts={!docked}
                onMediaElement={docked ? setMedia : onMediaElement}
                onMiniPlayer={docked ? undefined : actions.openMini}
                onPlaybackPosition={docked ? saveDockedProgress : props.onPlaybackPosition}
                // Nothing that belongs to the watch page acts while it is closed.
                endScreen={docked ? undefined : props.endScreen}
                onEnded={docked ? undefined : props.onEnded}
                onNext={docked ? undefined : props.onNext}
                autoplayNext={docked ? undefined : props.autoplayNext}
                theater={docked ? undefined : props.theater}
              />
            </Suspense>,
            host,
          )
        : null}
      <MiniPlayer
        dockRef={dockRef}
        open={docked && session !== null}
        title={props?.title ?? ''}
        media={media}
        onExpand={() => {
          if (session) void navigate(session.returnTo);
        }}
        onClose={close}
      />
    </PlayerHostContext.Provider>
  );
}

interface MiniPlayerProps {
  dockRef: RefObject<HTMLDivElement | null>;
  open: boolean;
  title: string;
  media: HTMLVideoElement | null;
  onExpand(): void;
  onClose(): void;
}

/** The docked player: bottom right on a desktop, a bar along the bottom on a phone. */
function MiniPlayer({ dockRef, open, title, media, onExpand, onClose }: MiniPlayerProps) {
  const [paused, setPaused] = useState(true);
  useEffect(() => {
    if (!media) return;
    const sync = () => setPaused(media.paused);
    sync();
    media.addEventListener('play', sync);
    media.addEventListener('pause', sync);
    return () => {
      media.removeEventListener('play', sync);
      media.removeEventListener('pause', sync);
    };
  }, [media]);
  return (
    <section className="mini-player" data-testid="mini-player" hidden={!open} aria-label="Mini player">
      <div className="mini-player-video" ref={dockRef} />
      <div className="mini-player-bar">
        <button type="button" className="mini-player-title" onClick={onExpand} data-testid="mini-player-title">
          {title}
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={paused ? 'Play' : 'Pause'}
          data-testid="mini-player-play"
          onClick={() => {
            if (!media) return;
            if (media.paused) void media.play().catch(() => undefined);
            else media.pause();
          }}
        >
          <Icon name={paused ? 'play' : 'pause'} />
        </button>
        <button type="button" className="icon-button" aria-label="Expand" data-testid="mini-player-expand" onClick={onExpand}>
          <Icon name="expand" />
        </button>
        <button type="button" className="icon-button" aria-label="Close" data-testid="mini-player-close" onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
    </section>
  );
}

interface DockablePlayerProps extends PlayerProps {
  /** Changes when a new player must be mounted (another video, a new generation of its stream). */
  sessionKey: string;
  /** Save the viewer's position while the player is docked (as the watch page does while it is open). */
  saveProgress?: boolean;
}

/**
 * The watch page's player: a slot the app shell's player moves into. Outside a PlayerHostProvider
 * (tests, other shells) it renders an ordinary player.
 */
export function DockablePlayer({ sessionKey, saveProgress = false, ...props }: DockablePlayerProps) {
  const actions = useContext(PlayerHostContext);
  const slotRef = useRef<HTMLDivElement>(null);
  const session: Session = { key: sessionKey, props, returnTo: `${window.location.pathname}${window.location.search}`, saveProgress };
  const sessionRef = useRef(session);
  sessionRef.current = session;
  // biome-ignore lint/correctness/useExhaustiveDependencies: another key is another player, attached afresh.
  useLayoutEffect(() => {
    const slot = slotRef.current;
    if (!actions || !slot) return;
    actions.attach(slot, sessionRef.current);
    return () => actions.detach(slot);
  }, [actions, sessionKey]);
  useLayoutEffect(() => {
    actions?.update(sessionRef.current);
  });
  if (!actions) {
    return (
      <Suspense fallback={null}>
        <Player key={sessionKey} {...props} />
      </Suspense>
    );
  }
  return <div className="player-slot" ref={slotRef} data-testid="player-slot" />;
}
