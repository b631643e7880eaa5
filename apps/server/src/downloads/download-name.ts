/**
 * The name a downloaded file is saved as: the video's title made safe for every file system and for an HTTP
 * header. Control characters, quotes, path separators, the characters Windows refuses and `%` (so the name
 * survives a trip through a URL path unchanged) go; runs of spaces collapse; leading and trailing dots and spaces
 * go; at most 100 characters; "video" when nothing is left.
 */
export function downloadFileName(title: string): string {
  const cleaned = title
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f"\\/:*?<>|%]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const base = [...cleaned].slice(0, 100).join('').trim() || 'video';
  return `${base}.mp4`;
}

/**
 * `attachment; filename="…"; filename*=UTF-8''…`: the quoted ASCII fallback for old clients (other characters
 * become `_`), the exact UTF-8 name for the rest (RFC 6266).
 */
export function contentDisposition(fileName: string): string {
  const safe = downloadFileName(fileName.replace(/\.mp4$/i, ''));
  const ascii = safe.replace(/[^\u0020-\u007e]/g, '_');
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
