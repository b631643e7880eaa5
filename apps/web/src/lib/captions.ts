/**
 * Captions in the player: reading the server's clean WebVTT into cues, the cue showing at a time, cue text
 * as styled runs (never HTML), transcript search, and the viewer's caption preferences. Pure, unit-tested.
 */

export interface CaptionCue {
  start: number;
  end: number;
  /** WebVTT cue text: <b>/<i>/<u> and entities, lines separated by "\n". */
  text: string;
}

const TIMING = /^((?:\d+:)?\d{2}:\d{2}\.\d{3})\s+-->\s+((?:\d+:)?\d{2}:\d{2}\.\d{3})/;

function seconds(timestamp: string): number {
  const parts = timestamp.split(':').map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** Cues of a WebVTT file, in start order; blocks without a timing line (NOTE, STYLE, header) are skipped. */
export function parseWebVtt(text: string): CaptionCue[] {
  const cues: CaptionCue[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n');
    const timingAt = lines.findIndex((line) => TIMING.test(line));
    if (timingAt === -1) continue;
    const match = TIMING.exec(lines[timingAt]!)!;
    const body = lines
      .slice(timingAt + 1)
      .join('\n')
      .trim();
    if (body) cues.push({ start: seconds(match[1]!), end: seconds(match[2]!), text: body });
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** The cues showing at `time` (overlapping cues all show, like in browsers). */
export function activeCues(cues: readonly CaptionCue[], time: number): CaptionCue[] {
  return cues.filter((cue) => cue.start <= time && time < cue.end);
}

/** The index of the transcript line to highlight at `time`: the last cue started by then, or -1. */
export function transcriptIndexAt(cues: readonly CaptionCue[], time: number): number {
  let found = -1;
  for (const [index, cue] of cues.entries()) {
    if (cue.start <= time) found = index;
    else break;
  }
  return found;
}

export interface TextRun {
  text: string;
  bold: boolean;
  italic: boolean;
  underline: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Cue text as runs of plain text with b/i/u flags; every other tag is dropped. */
export function cueRuns(text: string): TextRun[] {
  const runs: TextRun[] = [];
  const state = { bold: 0, italic: 0, underline: 0 };
  for (const piece of text.split(/(<\/?[a-z][^>]*>)/i)) {
    const tag = /^<(\/?)([a-z]+)/i.exec(piece);
    if (tag) {
      const delta = tag[1] ? -1 : 1;
      const name = tag[2]!.toLowerCase();
      if (name === 'b') state.bold = Math.max(0, state.bold + delta);
      if (name === 'i') state.italic = Math.max(0, state.italic + delta);
      if (name === 'u') state.underline = Math.max(0, state.underline + delta);
      continue;
    }
    if (piece === '') continue;
    runs.push({ text: decodeEntities(piece), bold: state.bold > 0, italic: state.italic > 0, underline: state.underline > 0 });
  }
  return runs;
}

export const plainCueText = (text: string) =>
  cueRuns(text)
    .map((run) => run.text)
    .join('');

/** Transcript lines whose text contains every word of the query (case and accents ignored). */
export function searchTranscript(cues: readonly CaptionCue[], query: string): number[] {
  const fold = (text: string) =>
    text
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return cues.map((_, index) => index);
  return cues.flatMap((cue, index) => {
    const text = fold(plainCueText(cue.text));
    return words.every((word) => text.includes(word)) ? [index] : [];
  });
}

export const CAPTION_SIZES = [0.75, 1, 1.5, 2] as const;
export const CAPTION_BACKGROUNDS = ['transparent', 'semi', 'opaque'] as const;
export type CaptionBackground = (typeof CAPTION_BACKGROUNDS)[number];

export interface CaptionPreferences {
  /** Whether captions are on. */
  enabled: boolean;
  /** The language last chosen (kept while captions are off, for `c`). */
  language: string | null;
  size: (typeof CAPTION_SIZES)[number];
  background: CaptionBackground;
}

export const DEFAULT_CAPTION_PREFERENCES: CaptionPreferences = { enabled: false, language: null, size: 1, background: 'semi' };
export const CAPTION_PREFERENCES_KEY = 'tube.captions';

/** Stored preferences, each value checked (a bad or old entry falls back to the default). */
export function readCaptionPreferences(stored: string | null): CaptionPreferences {
  if (!stored) return DEFAULT_CAPTION_PREFERENCES;
  try {
    const value = JSON.parse(stored) as Partial<Record<keyof CaptionPreferences, unknown>>;
    return {
      enabled: value.enabled === true,
      language: typeof value.language === 'string' && value.language.length <= 40 ? value.language : null,
      size: (CAPTION_SIZES as readonly unknown[]).includes(value.size) ? (value.size as CaptionPreferences['size']) : DEFAULT_CAPTION_PREFERENCES.size,
      background: (CAPTION_BACKGROUNDS as readonly unknown[]).includes(value.background)
        ? (value.background as CaptionBackground)
        : DEFAULT_CAPTION_PREFERENCES.background,
    };
  } catch {
    return DEFAULT_CAPTION_PREFERENCES;
  }
}

/** The track in a language: exact, else by primary language (`pt` finds `pt-BR`), else none. */
export function chooseTrack<T extends { language: string }>(tracks: readonly T[], language: string | null): T | null {
  if (language === null) return null;
  const primary = (tag: string) => tag.split('-')[0]!.toLowerCase();
  return tracks.find((track) => track.language === language) ?? tracks.find((track) => primary(track.language) === primary(language)) ?? null;
}

/** The track showing: the remembered language, when captions are on and this video has it. */
export function showingTrack<T extends { language: string }>(tracks: readonly T[], preferences: CaptionPreferences): T | null {
  return preferences.enabled ? chooseTrack(tracks, preferences.language) : null;
}

/** `c`: off when showing; else on, in the remembered language when this video has it, else its first track. */
export function toggleCaptions<T extends { language: string }>(tracks: readonly T[], preferences: CaptionPreferences): CaptionPreferences {
  if (showingTrack(tracks, preferences)) return { ...preferences, enabled: false };
  const track = chooseTrack(tracks, preferences.language) ?? tracks[0];
  return track ? { ...preferences, enabled: true, language: track.language } : preferences;
}
