import { describe, expect, it } from 'vitest';
import { processingStartText } from '../src/lib/processing-start.ts';

describe('processingStartText', () => {
  it('says processing already runs during the upload, or why it waits for the end', () => {
    expect(processingStartText({ status: 'awaiting_upload', processingStart: 'during_upload', processingStartNote: null })).toBe(
      'Processing has started: the parts already uploaded are being converted.',
    );
    const note = 'Processing starts when the upload completes: this MP4 keeps its index at the end';
    expect(processingStartText({ status: 'awaiting_upload', processingStart: 'at_completion', processingStartNote: note })).toBe(note);
    expect(processingStartText({ status: 'queued', processingStart: 'at_completion', processingStartNote: null })).toBe(
      'Processing starts when the upload completes.',
    );
  });

  it('says nothing once processing shows its own progress, or before anything is decided', () => {
    expect(processingStartText({ status: 'processing', processingStart: 'during_upload', processingStartNote: null })).toBeNull();
    expect(processingStartText({ status: 'ready', processingStart: null, processingStartNote: null })).toBeNull();
    expect(processingStartText({ status: 'awaiting_upload', processingStart: null, processingStartNote: null })).toBeNull();
  });
});
