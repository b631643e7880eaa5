/**
 * The upload page's state machine, pure so it can be tested without a browser:
 *
 *   picking ─file─▶ (offered ─resume/fresh─▶) creating ─created─▶ uploading ⇄ paused
 *                                                                  │  ▲
 *                                                    offline/error │  │ online (resumes by itself)
 *                                                                  ▼  │
 *                                                                offline
 *   uploading ─success─▶ processing;  uploading ─error while online─▶ failed ─resume─▶ uploading
 *
 * Beside the phase it holds what the page shows about the transfer and the details form: the time left, whether
 * the form's errors show, and how the last save of the details went. Choosing a file or resetting clears them.
 */
import type { UpdateVideoBody, Visibility } from '@tube/shared';

export type UploadPhase = 'picking' | 'offered' | 'creating' | 'uploading' | 'paused' | 'offline' | 'failed' | 'processing';

export interface ChosenFile {
  name: string;
  size: number;
}

export interface UploadState {
  phase: UploadPhase;
  file: ChosenFile | null;
  /** Bumped each time a file is chosen or the page is reset, so late callbacks of an abandoned upload are ignored. */
  attempt: number;
  videoId: string | null;
  bytesSent: number;
  bytesTotal: number;
  /** tus is retrying a failed request (the connection dropped but the browser still believes it is online). */
  retrying: boolean;
  error: string | null;
  /** The estimated time left of the transfer, once there is a rate to go by. */
  secondsLeft: number | null;
  /** The details form shows its validation errors (after a submit or a save that found them). */
  showErrors: boolean;
  saveStatus: SaveStatus;
}

/** The autosave of the details: idle until the first save of this video. */
export type SaveStatus = 'idle' | 'saving' | 'saved' | 'failed';

export type UploadEvent =
  | { type: 'file-refused'; message: string }
  /** A file was accepted; `resumable` when this browser has an unfinished upload of it to offer. */
  | { type: 'file-chosen'; file: ChosenFile; resumable: boolean }
  /** The person chose to continue the earlier upload (`videoId`), or to start a new video. */
  | { type: 'resume-accepted'; videoId: string }
  | { type: 'fresh-start' }
  | { type: 'created'; attempt: number; videoId: string }
  | { type: 'create-failed'; attempt: number; message: string }
  | { type: 'progress'; attempt: number; bytesSent: number; bytesTotal: number; secondsLeft?: number | null }
  | { type: 'retrying'; attempt: number }
  | { type: 'succeeded'; attempt: number }
  | { type: 'upload-failed'; attempt: number; message: string; offline: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'went-offline' }
  | { type: 'came-online' }
  | { type: 'reset' }
  | { type: 'show-errors' }
  | { type: 'save-started' }
  | { type: 'save-succeeded' }
  | { type: 'save-failed' };

export const initialUploadState: UploadState = {
  phase: 'picking',
  file: null,
  attempt: 0,
  videoId: null,
  bytesSent: 0,
  bytesTotal: 0,
  retrying: false,
  error: null,
  secondsLeft: null,
  showErrors: false,
  saveStatus: 'idle',
};

/** Phases in which a tus upload exists for the current file. */
const TRANSFER_PHASES: ReadonlySet<UploadPhase> = new Set(['uploading', 'paused', 'offline', 'failed']);

export function uploadReducer(state: UploadState, event: UploadEvent): UploadState {
  // Events from an upload that is no longer the current one change nothing.
  if ('attempt' in event && event.attempt !== state.attempt) return state;
  switch (event.type) {
    case 'file-refused':
      return state.phase === 'picking' ? { ...state, error: event.message } : state;
    case 'file-chosen':
      if (state.phase !== 'picking') return state;
      return {
        ...initialUploadState,
        attempt: state.attempt + 1,
        phase: event.resumable ? 'offered' : 'creating',
        file: event.file,
        bytesTotal: event.file.size,
      };
    case 'resume-accepted':
      return state.phase === 'offered' ? { ...state, phase: 'uploading', videoId: event.videoId, error: null } : state;
    case 'fresh-start':
      return state.phase === 'offered' ? { ...state, phase: 'creating' } : state;
    case 'created':
      return state.phase === 'creating' ? { ...state, phase: 'uploading', videoId: event.videoId } : state;
    case 'create-failed':
      return state.phase === 'creating' ? { ...initialUploadState, attempt: state.attempt, error: event.message } : state;
    case 'progress':
      if (!TRANSFER_PHASES.has(state.phase)) return state;
      return { ...state, bytesSent: event.bytesSent, bytesTotal: event.bytesTotal, retrying: false, secondsLeft: event.secondsLeft ?? state.secondsLeft };
    case 'retrying':
      return state.phase === 'uploading' ? { ...state, retrying: true } : state;
    case 'succeeded':
      return TRANSFER_PHASES.has(state.phase) ? { ...state, phase: 'processing', bytesSent: state.bytesTotal, retrying: false, error: null } : state;
    case 'upload-failed':
      if (state.phase !== 'uploading') return state;
      // Lost because the browser went offline: waits for the connection, then continues by itself.
      return event.offline ? { ...state, phase: 'offline', retrying: false } : { ...state, phase: 'failed', retrying: false, error: event.message };
    case 'pause':
      return state.phase === 'uploading' || state.phase === 'offline' ? { ...state, phase: 'paused', retrying: false } : state;
    case 'resume':
      return state.phase === 'paused' || state.phase === 'failed' || state.phase === 'offline' ? { ...state, phase: 'uploading', error: null } : state;
    case 'went-offline':
      return state.phase === 'uploading' ? { ...state, phase: 'offline', retrying: false } : state;
    case 'came-online':
      return state.phase === 'offline' ? { ...state, phase: 'uploading', error: null } : state;
    case 'reset':
      return { ...initialUploadState, attempt: state.attempt + 1 };
    case 'show-errors':
      return { ...state, showErrors: true };
    case 'save-started':
      return { ...state, saveStatus: 'saving' };
    case 'save-succeeded':
      return { ...state, saveStatus: 'saved' };
    case 'save-failed':
      return { ...state, saveStatus: 'failed' };
  }
}

/** The bytes are going up or could continue: leaving the page should warn. */
export const isTransferring = (state: UploadState) => state.phase === 'uploading' || state.phase === 'offline';

/** The video exists, so edits to its details are saved to it. */
export const hasVideo = (state: UploadState) => state.videoId !== null;

export function uploadFraction(state: UploadState): number {
  if (state.phase === 'processing') return 1;
  return state.bytesTotal > 0 ? Math.min(1, state.bytesSent / state.bytesTotal) : 0;
}

/** A file larger than the server accepts is refused before any byte is sent, naming the limit. */
export function sizeLimitMessage(file: ChosenFile, maxBytes: number | null, format: (bytes: number) => string): string | null {
  if (maxBytes === null || file.size <= maxBytes) return null;
  return `“${file.name}” is ${format(file.size)}; this server accepts files up to ${format(maxBytes)}.`;
}

/** The details form: everything about the video that stays editable while its bytes go up. */
export interface EditableDetails {
  title: string;
  description: string;
  visibility: Visibility;
  /** As typed: comma-separated. */
  tagsText: string;
  /** null until the person's channels are known (the server then uses the default channel). */
  channelId: string | null;
}

/** What has to be sent for `edited` to be what the video has (`saved`): a PATCH body and/or a channel move. */
export function detailChanges(
  saved: EditableDetails,
  edited: EditableDetails,
  parseTags: (text: string) => string[],
): { patch: UpdateVideoBody | null; channelId: string | null } {
  const patch: UpdateVideoBody = {};
  if (edited.title.trim() !== saved.title.trim()) patch.title = edited.title.trim();
  if (edited.description !== saved.description) patch.description = edited.description;
  if (edited.visibility !== saved.visibility) patch.visibility = edited.visibility;
  const tags = parseTags(edited.tagsText);
  if (tags.join('\u0000') !== parseTags(saved.tagsText).join('\u0000')) patch.tags = tags;
  const channelId = edited.channelId !== null && edited.channelId !== saved.channelId ? edited.channelId : null;
  return { patch: Object.keys(patch).length > 0 ? patch : null, channelId };
}
