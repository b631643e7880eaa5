/**
 * The embed page's JavaScript API, over `postMessage` (like PeerTube's and YouTube's iframe APIs).
 *
 * The page that holds the iframe sends commands:
 *   `{ tube: 'command', method: 'play' | 'pause' | 'seek' | 'getCurrentTime' | 'getDuration' | 'getState'
 *      | 'mute' | 'unmute' | 'setVolume', args?: [number], id?: string | number }`
 * and gets, for every command with an `id`, `{ tube: 'response', id, result }` or `{ tube: 'response', id, error }`.
 * The player announces `{ tube: 'event', event: 'ready' | 'play' | 'pause' | 'ended' | 'seeked' | 'timeupdate'
 *  | 'volumechange', state: { currentTime, duration, paused, muted, volume } }` to its parent window.
 * Events carry nothing private (a position in a video the embedding page chose), so they go to any origin;
 * answers go back to the origin that asked.
 */

export const EMBED_METHODS = ['play', 'pause', 'seek', 'getCurrentTime', 'getDuration', 'getState', 'mute', 'unmute', 'setVolume'] as const;
export type EmbedMethod = (typeof EMBED_METHODS)[number];
export const EMBED_EVENTS = ['ready', 'play', 'pause', 'ended', 'seeked', 'timeupdate', 'volumechange'] as const;
export type EmbedEvent = (typeof EMBED_EVENTS)[number];

export interface EmbedCommand {
  method: EmbedMethod;
  args: number[];
  id: string | number | null;
}

export interface EmbedState {
  currentTime: number;
  duration: number | null;
  paused: boolean;
  muted: boolean;
  volume: number;
}

/** A command from a message's data, or null for anything else (other scripts also talk over postMessage). */
export function parseEmbedCommand(data: unknown): EmbedCommand | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  if (message.tube !== 'command' || typeof message.method !== 'string') return null;
  if (!(EMBED_METHODS as readonly string[]).includes(message.method)) return null;
  const args = Array.isArray(message.args) ? message.args : [];
  if (!args.every((arg): arg is number => typeof arg === 'number' && Number.isFinite(arg))) return null;
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
  return { method: message.method as EmbedMethod, args, id };
}

/** The media element as the API sees it (an HTMLVideoElement satisfies it). */
export interface EmbeddableMedia {
  currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  muted: boolean;
  volume: number;
  play(): Promise<void>;
  pause(): void;
}

export function stateOf(media: EmbeddableMedia): EmbedState {
  return {
    currentTime: media.currentTime,
    duration: Number.isFinite(media.duration) ? media.duration : null,
    paused: media.paused,
    muted: media.muted,
    volume: media.volume,
  };
}

/** Runs one command; the result is what the response carries. Throws a readable Error for bad arguments. */
export async function runEmbedCommand(media: EmbeddableMedia, command: EmbedCommand): Promise<number | boolean | EmbedState | null> {
  const [value] = command.args;
  switch (command.method) {
    case 'play':
      await media.play();
      return null;
    case 'pause':
      media.pause();
      return null;
    case 'seek': {
      if (value === undefined || value < 0) throw new Error('seek needs a position in seconds');
      const end = Number.isFinite(media.duration) ? media.duration : value;
      media.currentTime = Math.min(value, end);
      return media.currentTime;
    }
    case 'getCurrentTime':
      return media.currentTime;
    case 'getDuration':
      return Number.isFinite(media.duration) ? media.duration : null;
    case 'getState':
      return stateOf(media);
    case 'mute':
      media.muted = true;
      return true;
    case 'unmute':
      media.muted = false;
      return false;
    case 'setVolume':
      if (value === undefined || value < 0 || value > 1) throw new Error('setVolume needs a volume from 0 to 1');
      media.volume = value;
      return value;
  }
}

const TIMEUPDATE_INTERVAL_MS = 250;

/** Wires the API to a video element inside the embed page; returns the function that unwires it. */
export function attachEmbedApi(video: HTMLVideoElement, target: Window = window): () => void {
  const parent = target.parent;
  if (parent === target) return () => undefined;
  const post = (event: EmbedEvent) => parent.postMessage({ tube: 'event', event, state: stateOf(video) }, '*');
  let lastTimeUpdate = 0;
  const listeners: Array<[string, () => void]> = [
    ['play', () => post('play')],
    ['pause', () => post('pause')],
    ['ended', () => post('ended')],
    ['seeked', () => post('seeked')],
    ['volumechange', () => post('volumechange')],
    [
      'timeupdate',
      () => {
        const now = Date.now();
        if (now - lastTimeUpdate < TIMEUPDATE_INTERVAL_MS) return;
        lastTimeUpdate = now;
        post('timeupdate');
      },
    ],
  ];
  for (const [name, listener] of listeners) video.addEventListener(name, listener);
  const onMessage = (event: MessageEvent) => {
    const command = parseEmbedCommand(event.data);
    if (!command) return;
    const answer = (body: Record<string, unknown>) => {
      if (command.id === null || !event.source) return;
      (event.source as Window).postMessage({ tube: 'response', id: command.id, ...body }, { targetOrigin: event.origin === 'null' ? '*' : event.origin });
    };
    runEmbedCommand(video, command).then(
      (result) => answer({ result }),
      (error: unknown) => answer({ error: error instanceof Error ? error.message : 'The command failed' }),
    );
  };
  target.addEventListener('message', onMessage);
  // "ready" once the duration is known, so the first getDuration already has an answer.
  const announceReady = () => post('ready');
  if (video.readyState >= HTMLMediaElement.HAVE_METADATA) announceReady();
  else video.addEventListener('loadedmetadata', announceReady, { once: true });
  return () => {
    video.removeEventListener('loadedmetadata', announceReady);
    for (const [name, listener] of listeners) video.removeEventListener(name, listener);
    target.removeEventListener('message', onMessage);
  };
}
