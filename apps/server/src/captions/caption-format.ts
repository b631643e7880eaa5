/**
 * Reading caption files people upload (WebVTT or SRT) into clean WebVTT. Pure: no I/O.
 *
 * What comes out is rebuilt from the cues, never passed through: no STYLE/REGION/NOTE blocks, no cue ids,
 * only the cue settings players agree on, and cue text limited to <b>, <i>, <u> (every other tag, e.g. SRT's
 * <font>, is dropped; stray `<` and `&` are escaped), so a caption can never carry markup into a page.
 */

export interface Cue {
  startSeconds: number;
  endSeconds: number;
  /** Cue text as WebVTT (allowed tags and entities), lines joined with "\n". */
  text: string;
  /** Sanitised cue settings, e.g. `line:90% align:center`. */
  settings: string;
}

export class CaptionFormatError extends Error {}

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(.*)$/;
const ALLOWED_SETTINGS = /^(line|position|size|align):[A-Za-z0-9.%,-]{1,20}$/;
const ALLOWED_TAG = /^<\/?(b|i|u)>$/i;
const ENTITY = /^&(amp|lt|gt|nbsp|lrm|rlm|#\d{1,6}|#x[0-9a-f]{1,6});/i;
const MAX_CUES = 20_000;
const MAX_CUE_TEXT = 1_000;

export function parseTimestamp(text: string): number | null {
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$/.exec(text);
  if (!match) return null;
  const [, hours = '0', minutes, seconds, fraction] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) return null;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + Number(fraction!.padEnd(3, '0')) / 1000;
}

export function formatTimestamp(totalSeconds: number): string {
  const millis = Math.round(totalSeconds * 1000);
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor((millis % 3_600_000) / 60_000);
  const seconds = Math.floor((millis % 60_000) / 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}.${pad(millis % 1000, 3)}`;
}

/** Cue text with only the allowed tags left and everything else that could be markup escaped. */
export function sanitiseCueText(text: string): string {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '<') {
      const end = text.indexOf('>', index);
      const tag = end === -1 ? null : text.slice(index, end + 1);
      if (tag && ALLOWED_TAG.test(tag)) output += tag.toLowerCase();
      else if (tag && /^<\/?[A-Za-z][^<>]*>$/.test(tag)) output += '';
      else {
        output += '&lt;';
        index += 1;
        continue;
      }
      index = end + 1;
    } else if (char === '&') {
      const entity = ENTITY.exec(text.slice(index));
      output += entity ? entity[0] : '&amp;';
      index += entity ? entity[0].length : 1;
    } else if (char === '>') {
      output += '&gt;';
      index += 1;
    } else {
      output += char;
      index += 1;
    }
  }
  // "-->" may not appear in cue text; a lone line of it would read as a timing line.
  return output
    .replaceAll('--&gt;', '→')
    .split('\n')
    .map((line) => line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n');
}

/** Decodes uploaded bytes: UTF-8 (with or without BOM), else Windows-1252, as many old SRT files are. */
export function decodeCaptionBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** Cues from WebVTT or SRT text; throws CaptionFormatError with a sentence naming the line at fault. */
export function parseCaptions(text: string): Cue[] {
  const lines = text.split('\n');
  const isVtt = /^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '');
  if (!isVtt && !lines.some((line) => TIMING.test(line))) {
    throw new CaptionFormatError('This is not a WebVTT or SRT caption file: no line like "00:00:01.000 --> 00:00:04.000" was found.');
  }
  const cues: Cue[] = [];
  let index = isVtt ? 1 : 0;
  while (index < lines.length) {
    // One block: lines up to an empty line.
    const start = index;
    const block: string[] = [];
    while (index < lines.length && lines[index]!.trim() !== '') block.push(lines[index++]!);
    while (index < lines.length && lines[index]!.trim() === '') index++;
    if (block.length === 0) continue;
    if (isVtt && /^(NOTE|STYLE|REGION)(\s|$)/.test(block[0]!)) continue;
    const timingAt = block.findIndex((line) => line.includes('-->'));
    if (timingAt === -1) {
      // SRT numbers and VTT ids on their own, or text without timing.
      if (block.length === 1 && /^\d+$/.test(block[0]!.trim())) continue;
      throw new CaptionFormatError(`Line ${start + 1}: expected a timing line like "00:00:01.000 --> 00:00:04.000", found "${block[0]!.slice(0, 60)}".`);
    }
    if (timingAt > 1) throw new CaptionFormatError(`Line ${start + 1}: a cue may have one id line before its timing.`);
    const lineNumber = start + timingAt + 1;
    const timing = TIMING.exec(block[timingAt]!);
    const startSeconds = timing ? parseTimestamp(timing[1]!) : null;
    const endSeconds = timing ? parseTimestamp(timing[2]!) : null;
    if (!timing || startSeconds === null || endSeconds === null) {
      throw new CaptionFormatError(`Line ${lineNumber}: "${block[timingAt]!.slice(0, 60)}" is not a timing like "00:00:01.000 --> 00:00:04.000".`);
    }
    if (endSeconds <= startSeconds) throw new CaptionFormatError(`Line ${lineNumber}: the cue ends (${timing[2]}) before it starts (${timing[1]}).`);
    const settings = isVtt
      ? timing[3]!
          .trim()
          .split(/\s+/)
          .filter((setting) => ALLOWED_SETTINGS.test(setting))
          .join(' ')
      : '';
    const cueText = sanitiseCueText(block.slice(timingAt + 1).join('\n'));
    if (cueText.length > MAX_CUE_TEXT) throw new CaptionFormatError(`Line ${lineNumber}: the cue's text is longer than ${MAX_CUE_TEXT} characters.`);
    if (cueText.replace(/<[^>]*>/g, '').trim() === '') continue;
    cues.push({ startSeconds, endSeconds, text: cueText, settings });
    if (cues.length > MAX_CUES) throw new CaptionFormatError(`A caption file may have at most ${MAX_CUES} cues.`);
  }
  if (cues.length === 0) throw new CaptionFormatError('This caption file has no cues with text.');
  return cues.sort((a, b) => a.startSeconds - b.startSeconds || a.endSeconds - b.endSeconds);
}

export function toWebVtt(cues: readonly Cue[]): string {
  const blocks = cues.map(
    (cue) => `${formatTimestamp(cue.startSeconds)} --> ${formatTimestamp(cue.endSeconds)}${cue.settings ? ` ${cue.settings}` : ''}\n${cue.text}`,
  );
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

/** Uploaded bytes (WebVTT or SRT) to clean WebVTT. */
export function normaliseCaptions(bytes: Uint8Array): { vtt: string; cueCount: number } {
  const cues = parseCaptions(decodeCaptionBytes(bytes));
  return { vtt: toWebVtt(cues), cueCount: cues.length };
}
