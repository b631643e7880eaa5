/**
 * An ffmpeg/ffprobe input that can read only the first `bytes` of `file` (the `subfile` protocol): bytes
 * past what has arrived are never read, even if they are on disk. Needs `subfile` in the protocol whitelist.
 */
export function partialInput(file: string, bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`partialInput needs a positive byte count, got ${bytes}`);
  // subfile's options end at ",,"; a ":" is taken for a protocol name unless a "/" comes before it (ffmpeg's rule).
  const path = file.replace(/^[A-Za-z]:\\/, '');
  if (path.includes(',') || (path.includes(':') && !path.startsWith('/')))
    throw new Error('partialInput cannot name a path containing "," or, unless absolute, ":"');
  return `subfile,,start,0,end,${bytes},,:${file}`;
}
