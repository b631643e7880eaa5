/**
 * Timestamps and chapters in descriptions and comments, by YouTube's rules. Pure; used by the web app
 * (seek links, chapter marks) and the server (a WebVTT chapters track for other players).
 */

export interface Chapter {
  startSeconds: number;
  title: string;
}

/** `1:23`, `01:23`, `1:02:03` not glued to other digits, colons or letters. */
export const TIMESTAMP_PATTERN = /(?<![\w:.])((?:\d{1,2}:)?\d{1,2}:\d{2})(?![\w:]|\.\d)/g;

export function timestampSeconds(text: string): number | null {
  const parts = text.split(':').map(Number);
  if (parts.some((part) => !Number.isInteger(part))) return null;
  if (parts.length === 3 && (parts[1]! > 59 || parts[2]! > 59)) return null;
  if (parts.length === 2 && parts[1]! > 59) return null;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

export type TextPart = { kind: 'text'; text: string } | { kind: 'timestamp'; text: string; seconds: number };

/** Splits text into plain runs and timestamps (those within the video, when its duration is known). */
export function splitTimestamps(text: string, durationSeconds: number | null = null): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(TIMESTAMP_PATTERN)) {
    const seconds = timestampSeconds(match[1]!);
    if (seconds === null || (durationSeconds !== null && seconds > durationSeconds)) continue;
    if (match.index > last) parts.push({ kind: 'text', text: text.slice(last, match.index) });
    parts.push({ kind: 'timestamp', text: match[1]!, seconds });
    last = match.index + match[1]!.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return parts;
}

export const MIN_CHAPTERS = 3;
export const MIN_CHAPTER_SECONDS = 10;
const CHAPTER_LINE = /^\s*(?:[-–•*▶►]\s*)?\(?((?:\d{1,2}:)?\d{1,2}:\d{2})\)?\s*(?:[-–—:|.)]\s*)?(.*?)\s*$/;

/**
 * The chapter list of a description, or [] when it has none by YouTube's rules: lines starting with a
 * timestamp, the first at 0:00, at least three, ascending, each at least 10 s long (the last one too, when
 * the duration is known).
 */
export function parseChapters(description: string, durationSeconds: number | null = null): Chapter[] {
  const chapters: Chapter[] = [];
  for (const line of description.split(/\r?\n/)) {
    const match = CHAPTER_LINE.exec(line);
    if (!match) continue;
    const seconds = timestampSeconds(match[1]!);
    if (seconds === null) continue;
    chapters.push({ startSeconds: seconds, title: match[2]!.trim() || `Chapter ${chapters.length + 1}` });
  }
  if (chapters.length < MIN_CHAPTERS || chapters[0]!.startSeconds !== 0) return [];
  for (let index = 1; index < chapters.length; index++) {
    if (chapters[index]!.startSeconds - chapters[index - 1]!.startSeconds < MIN_CHAPTER_SECONDS) return [];
  }
  if (durationSeconds !== null && durationSeconds - chapters.at(-1)!.startSeconds < MIN_CHAPTER_SECONDS) return [];
  return chapters;
}

/** The chapter playing at `seconds`, or null. */
export function chapterAt(chapters: readonly Chapter[], seconds: number): Chapter | null {
  let found: Chapter | null = null;
  for (const chapter of chapters) {
    if (chapter.startSeconds <= seconds) found = chapter;
    else break;
  }
  return found;
}

function vttTime(totalSeconds: number): string {
  const millis = Math.round(totalSeconds * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(Math.floor(millis / 3_600_000))}:${pad(Math.floor((millis % 3_600_000) / 60_000))}:${pad(Math.floor((millis % 60_000) / 1000))}.${pad(millis % 1000, 3)}`;
}

/** A WebVTT chapters track (`<track kind="chapters">`); titles are text, so `<` and `&` are escaped. */
export function chaptersVtt(chapters: readonly Chapter[], durationSeconds: number): string {
  const escapeCueText = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('-->', '→');
  const cues = chapters.map((chapter, index) => {
    const end = chapters[index + 1]?.startSeconds ?? durationSeconds;
    return `${index + 1}\n${vttTime(chapter.startSeconds)} --> ${vttTime(end)}\n${escapeCueText(chapter.title)}`;
  });
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}
