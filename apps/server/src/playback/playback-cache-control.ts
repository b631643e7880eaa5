/** Signed links are per-viewer-class and expire, so only public links may sit in shared caches. */
export function playbackCacheControl(playback: { expiresAt: string | null }, signedIn: boolean): string {
  return playback.expiresAt === null && !signedIn ? 'public, max-age=30' : 'private, max-age=30';
}
