import { describe, expect, it } from 'vitest';
import {
  activeCues,
  cueRuns,
  DEFAULT_CAPTION_PREFERENCES,
  parseWebVtt,
  plainCueText,
  readCaptionPreferences,
  searchTranscript,
  showingTrack,
  toggleCaptions,
  transcriptIndexAt,
} from '../src/lib/captions.ts';
import { actionForKey } from '../src/player/shortcuts.ts';

const VTT = `WEBVTT

00:00:01.000 --> 00:00:04.000
Hello <b>there</b>!

00:00:03.500 --> 00:00:05.000 align:start
Overlapping &amp; <i>slanted</i>

01:00:05.500 --> 01:00:07.250
Café &lt;au lait&gt;
`;

describe('WebVTT cues', () => {
  const cues = parseWebVtt(VTT);

  it('reads the server’s WebVTT, hours included', () => {
    expect(cues).toEqual([
      { start: 1, end: 4, text: 'Hello <b>there</b>!' },
      { start: 3.5, end: 5, text: 'Overlapping &amp; <i>slanted</i>' },
      { start: 3605.5, end: 3607.25, text: 'Café &lt;au lait&gt;' },
    ]);
  });

  it('shows every cue active at a time, none between cues', () => {
    expect(activeCues(cues, 0.5)).toEqual([]);
    expect(activeCues(cues, 3.7).map((cue) => cue.start)).toEqual([1, 3.5]);
    expect(activeCues(cues, 4).map((cue) => cue.start)).toEqual([3.5]);
    expect(activeCues(cues, 5)).toEqual([]);
  });

  it('turns cue text into styled runs, never markup', () => {
    expect(cueRuns('Hello <b>there</b>!')).toEqual([
      { text: 'Hello ', bold: false, italic: false, underline: false },
      { text: 'there', bold: true, italic: false, underline: false },
      { text: '!', bold: false, italic: false, underline: false },
    ]);
    expect(plainCueText('Café &lt;au lait&gt; &#233;&#x41;')).toBe('Café <au lait> éA');
    expect(plainCueText('<c.yellow>x</c> <v Bob>y</v>')).toBe('x y');
  });

  it('finds transcript lines by words, ignoring case and accents, and the line spoken at a time', () => {
    expect(searchTranscript(cues, 'cafe')).toEqual([2]);
    expect(searchTranscript(cues, 'HELLO there')).toEqual([0]);
    expect(searchTranscript(cues, 'nothing')).toEqual([]);
    expect(searchTranscript(cues, '  ')).toEqual([0, 1, 2]);
    expect(transcriptIndexAt(cues, 0)).toBe(-1);
    expect(transcriptIndexAt(cues, 3.6)).toBe(1);
    expect(transcriptIndexAt(cues, 9999)).toBe(2);
  });
});

describe('caption preferences', () => {
  const tracks = [{ language: 'en' }, { language: 'pt-BR' }];

  it('remembers the language while off; c turns on the remembered one, or the first', () => {
    const off = { ...DEFAULT_CAPTION_PREFERENCES, language: 'pt-BR' };
    expect(showingTrack(tracks, off)).toBeNull();
    const on = toggleCaptions(tracks, off);
    expect(on).toMatchObject({ enabled: true, language: 'pt-BR' });
    expect(showingTrack(tracks, on)).toEqual({ language: 'pt-BR' });
    expect(toggleCaptions(tracks, on)).toMatchObject({ enabled: false, language: 'pt-BR' });
    expect(toggleCaptions(tracks, DEFAULT_CAPTION_PREFERENCES)).toMatchObject({ enabled: true, language: 'en' });
    // A video without the remembered language: the same primary language, else the first track.
    expect(showingTrack([{ language: 'pt-PT' }], on)).toEqual({ language: 'pt-PT' });
    expect(toggleCaptions([{ language: 'de' }], { ...off, language: 'fr' })).toMatchObject({ enabled: true, language: 'de' });
    expect(toggleCaptions([], off)).toBe(off);
  });

  it('reads stored preferences defensively', () => {
    expect(readCaptionPreferences(JSON.stringify({ enabled: true, language: 'en', size: 1.5, background: 'opaque' }))).toEqual({
      enabled: true,
      language: 'en',
      size: 1.5,
      background: 'opaque',
    });
    expect(readCaptionPreferences(JSON.stringify({ enabled: 'yes', language: 7, size: 9, background: 'pink' }))).toEqual(DEFAULT_CAPTION_PREFERENCES);
    expect(readCaptionPreferences('{oops')).toEqual(DEFAULT_CAPTION_PREFERENCES);
    expect(readCaptionPreferences(null)).toEqual(DEFAULT_CAPTION_PREFERENCES);
  });

  it('c is the captions shortcut', () => {
    expect(actionForKey({ key: 'c', ctrlKey: false, metaKey: false, altKey: false })).toEqual({ type: 'toggleCaptions' });
    expect(actionForKey({ key: 'c', ctrlKey: true, metaKey: false, altKey: false })).toBeNull();
  });
});
