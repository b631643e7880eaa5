/**
 * The roots of the React Query cache that more than one feature touches. Each feature's api.ts builds its own
 * keys on these (features never import each other), so invalidating by a root reaches every feature's entries:
 * a studio edit marks `video(id)` and every list under `videoLists` stale without knowing who shows them.
 * Everything that belongs to the signed-in person lives under `me`, so it can be dropped in one go when the
 * account changes.
 */
export const keyRoots = {
  /** One video and what hangs under it (captions). */
  video: (id: string) => ['video', id] as const,
  /** Every list of videos: feeds, channel uploads, related videos. */
  videoLists: ['videos'] as const,
  /** Every channel, by handle or id. */
  channels: ['channel'] as const,
  playlists: ['playlist'] as const,
  me: ['me'] as const,
  /** The creator's studio: only its owner sees it. */
  studio: ['studio'] as const,
  studioVideos: ['studio', 'videos'] as const,
};
