import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database } from '../infra/db/schema.ts';

/** The channel columns a video row carries, for queries that reach `videos` through a join of their own. */
export const VIDEO_CHANNEL_COLUMNS = ['channels.handle as channel_handle', 'channels.name as channel_name'] as const;

/**
 * The one projection of a video row with its channel, the shape `toVideoDto` takes. Listings elsewhere (search,
 * discovery, studio, history) start from it and join or filter what they need.
 */
export function selectVideoRows(db: Db | Transaction<Database>) {
  return db.selectFrom('videos').innerJoin('channels', 'channels.id', 'videos.channel_id').selectAll('videos').select(VIDEO_CHANNEL_COLUMNS);
}

/**
 * Videos that may appear in shared listings (search, trending, related, feeds, suggestions): ready, public and not
 * hidden by moderation. Unlisted and private videos, and hidden ones, are never listed, not even for their owner.
 */
export const isListed = sql<boolean>`(videos.status = 'ready' AND videos.visibility = 'public' AND videos.hidden_at IS NULL)`;
