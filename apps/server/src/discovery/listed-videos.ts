import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database } from '../infra/db/schema.ts';

/**
 * Videos that may appear in shared listings (search, trending, related, feeds, suggestions): ready, public and not
 * hidden by moderation. Unlisted and private videos, and hidden ones, are never listed, not even for their owner.
 */
export const isListed = sql<boolean>`(videos.status = 'ready' AND videos.visibility = 'public' AND videos.hidden_at IS NULL)`;

/** The same row shape as VideoRepository's select, so rows go through `toVideoDto`. */
export function selectVideoRows(db: Db | Transaction<Database>) {
  return db
    .selectFrom('videos')
    .innerJoin('channels', 'channels.id', 'videos.channel_id')
    .selectAll('videos')
    .select(['channels.handle as channel_handle', 'channels.name as channel_name']);
}
