import { describe, expect, it } from 'vitest';
import {
  detailChanges,
  initialUploadState,
  isTransferring,
  sizeLimitMessage,
  uploadFraction,
  uploadReducer,
  type EditableDetails,
  type UploadEvent,
  type UploadState,
} from '../src/features/upload/upload-state.ts';
import { parseTags } from '../src/lib/validation.ts';

const file = { name: 'holiday.mp4', size: 1000 };
const run = (events: UploadEvent[], from: UploadState = initialUploadState) => events.reduce(uploadReducer, from);
/** A fresh file, created as video v1 and uploading (attempt 1). */
const uploading = () =>
  run([
    { type: 'file-chosen', file, resumable: false },
    { type: 'created', attempt: 1, videoId: 'v1' },
  ]);

describe('upload reducer', () => {
  it('goes from picking straight to creating and uploading when a file is chosen, then to processing', () => {
    const creating = run([{ type: 'file-chosen', file, resumable: false }]);
    expect(creating).toMatchObject({ phase: 'creating', file, attempt: 1, bytesTotal: 1000, videoId: null });
    const state = uploadReducer(creating, { type: 'created', attempt: 1, videoId: 'v1' });
    expect(state).toMatchObject({ phase: 'uploading', videoId: 'v1' });
    const half = uploadReducer(state, { type: 'progress', attempt: 1, bytesSent: 500, bytesTotal: 1000 });
    expect(uploadFraction(half)).toBe(0.5);
    const done = uploadReducer(half, { type: 'succeeded', attempt: 1 });
    expect(done).toMatchObject({ phase: 'processing', bytesSent: 1000 });
    expect(uploadFraction(done)).toBe(1);
  });

  it('keeps a refused file in picking with the reason, and a failed creation returns there too', () => {
    expect(run([{ type: 'file-refused', message: 'too big' }])).toMatchObject({ phase: 'picking', error: 'too big' });
    const failed = run([
      { type: 'file-chosen', file, resumable: false },
      { type: 'create-failed', attempt: 1, message: 'quota' },
    ]);
    expect(failed).toMatchObject({ phase: 'picking', error: 'quota', file: null, attempt: 1 });
    // The error goes once another file is chosen.
    expect(uploadReducer(failed, { type: 'file-chosen', file, resumable: false })).toMatchObject({ phase: 'creating', error: null, attempt: 2 });
  });

  it('offers to resume an earlier upload of the same file, or to start a new video', () => {
    const offered = run([{ type: 'file-chosen', file, resumable: true }]);
    expect(offered.phase).toBe('offered');
    expect(uploadReducer(offered, { type: 'resume-accepted', videoId: 'old' })).toMatchObject({ phase: 'uploading', videoId: 'old' });
    expect(uploadReducer(offered, { type: 'fresh-start' })).toMatchObject({ phase: 'creating', videoId: null });
  });

  it('pauses and resumes on request', () => {
    const paused = uploadReducer(uploading(), { type: 'pause' });
    expect(paused.phase).toBe('paused');
    expect(isTransferring(paused)).toBe(false);
    expect(uploadReducer(paused, { type: 'resume' }).phase).toBe('uploading');
    // Coming online does not resume what the person paused.
    expect(uploadReducer(paused, { type: 'came-online' }).phase).toBe('paused');
  });

  it('waits offline and continues by itself when the connection returns', () => {
    const offline = uploadReducer(uploading(), { type: 'went-offline' });
    expect(offline.phase).toBe('offline');
    expect(isTransferring(offline)).toBe(true);
    // The request that was cut off reports its failure late: still offline, not failed.
    expect(uploadReducer(offline, { type: 'upload-failed', attempt: 1, message: 'lost', offline: true }).phase).toBe('offline');
    expect(uploadReducer(offline, { type: 'came-online' })).toMatchObject({ phase: 'uploading', error: null });
    // tus giving up while the browser is offline is the same as going offline.
    expect(uploadReducer(uploading(), { type: 'upload-failed', attempt: 1, message: 'lost', offline: true }).phase).toBe('offline');
  });

  it('fails with the server’s reason when online, and a manual resume continues', () => {
    const retrying = uploadReducer(uploading(), { type: 'retrying', attempt: 1 });
    expect(retrying.retrying).toBe(true);
    expect(uploadReducer(retrying, { type: 'progress', attempt: 1, bytesSent: 10, bytesTotal: 1000 }).retrying).toBe(false);
    const failed = uploadReducer(retrying, { type: 'upload-failed', attempt: 1, message: 'Server said no', offline: false });
    expect(failed).toMatchObject({ phase: 'failed', error: 'Server said no', retrying: false });
    expect(uploadReducer(failed, { type: 'came-online' }).phase).toBe('failed');
    expect(uploadReducer(failed, { type: 'resume' })).toMatchObject({ phase: 'uploading', error: null });
  });

  it('ignores late events of an abandoned upload', () => {
    const reset = uploadReducer(uploading(), { type: 'reset' });
    expect(reset).toMatchObject({ phase: 'picking', attempt: 2, videoId: null });
    const again = run([{ type: 'file-chosen', file: { name: 'b.mp4', size: 5 }, resumable: false }], reset);
    expect(again.attempt).toBe(3);
    for (const stale of [
      { type: 'created', attempt: 1, videoId: 'v1' },
      { type: 'progress', attempt: 1, bytesSent: 999, bytesTotal: 1000 },
      { type: 'succeeded', attempt: 1 },
      { type: 'upload-failed', attempt: 1, message: 'x', offline: false },
    ] as const) {
      expect(uploadReducer(again, stale)).toBe(again);
    }
    // A second file chosen while one is uploading is ignored (the page offers "Cancel upload" first).
    expect(uploadReducer(uploading(), { type: 'file-chosen', file, resumable: false }).attempt).toBe(1);
  });
});

describe('what the page shows beside the phase', () => {
  it('keeps the time left from the progress events, and only while bytes go up', () => {
    const sending = uploadReducer(uploading(), { type: 'progress', attempt: 1, bytesSent: 100, bytesTotal: 1000, secondsLeft: 42 });
    expect(sending.secondsLeft).toBe(42);
    // A progress event without an estimate keeps the last one.
    expect(uploadReducer(sending, { type: 'progress', attempt: 1, bytesSent: 200, bytesTotal: 1000 }).secondsLeft).toBe(42);
    // Progress of an abandoned upload, or before the transfer exists, changes nothing.
    expect(uploadReducer(sending, { type: 'progress', attempt: 0, bytesSent: 900, bytesTotal: 1000, secondsLeft: 1 }).secondsLeft).toBe(42);
    const creating = run([{ type: 'file-chosen', file, resumable: false }]);
    expect(uploadReducer(creating, { type: 'progress', attempt: 1, bytesSent: 1, bytesTotal: 1000, secondsLeft: 5 }).secondsLeft).toBeNull();
  });

  it('tracks the details save and the form errors, and forgets both with the file', () => {
    const saving = run([{ type: 'show-errors' }, { type: 'save-started' }], uploading());
    expect(saving).toMatchObject({ showErrors: true, saveStatus: 'saving' });
    expect(uploadReducer(saving, { type: 'save-succeeded' }).saveStatus).toBe('saved');
    expect(uploadReducer(saving, { type: 'save-failed' }).saveStatus).toBe('failed');
    const afterReset = run([{ type: 'save-succeeded' }, { type: 'reset' }], saving);
    expect(afterReset).toMatchObject({ phase: 'picking', showErrors: false, saveStatus: 'idle', secondsLeft: null });
    const nextFile = uploadReducer(afterReset, { type: 'file-chosen', file, resumable: false });
    expect(nextFile).toMatchObject({ showErrors: false, saveStatus: 'idle', secondsLeft: null });
  });
});

describe('size limit', () => {
  const format = (bytes: number) => `${bytes} B`;
  it('refuses a file over the limit, naming it', () => {
    expect(sizeLimitMessage({ name: 'big.mp4', size: 11 }, 10, format)).toBe('“big.mp4” is 11 B; this server accepts files up to 10 B.');
    expect(sizeLimitMessage({ name: 'ok.mp4', size: 10 }, 10, format)).toBeNull();
    expect(sizeLimitMessage({ name: 'unknown.mp4', size: 11 }, null, format)).toBeNull();
  });
});

describe('detail changes', () => {
  const saved: EditableDetails = { title: 'holiday', description: '', visibility: 'public', tagsText: 'sea, sun', channelId: 'c1' };
  it('sends only what was edited', () => {
    expect(detailChanges(saved, { ...saved, title: ' holiday ', tagsText: 'sea,  sun, Sun' }, parseTags)).toEqual({ patch: null, channelId: null });
    expect(detailChanges(saved, { ...saved, title: 'Beach day ', tagsText: 'sea', visibility: 'unlisted' }, parseTags)).toEqual({
      patch: { title: 'Beach day', tags: ['sea'], visibility: 'unlisted' },
      channelId: null,
    });
  });
  it('moves to another channel, and never to none', () => {
    expect(detailChanges(saved, { ...saved, channelId: 'c2' }, parseTags)).toEqual({ patch: null, channelId: 'c2' });
    expect(detailChanges(saved, { ...saved, channelId: null }, parseTags).channelId).toBeNull();
  });
});
