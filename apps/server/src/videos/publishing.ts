import type { Visibility } from '@tube/shared';
import { badRequest } from '../infra/http/errors.ts';

/** The columns that decide whether, and when, a video is published. */
export interface PublishState {
  visibility: Visibility;
  draft: boolean;
  publish_at: Date | null;
  publish_visibility: 'public' | 'unlisted' | null;
}

export interface PublishRequest {
  visibility?: Visibility | undefined;
  draft?: boolean | undefined;
  publishAt?: string | null | undefined;
}

/** The visibility a draft or scheduled video will get: what was asked, else what it was going to get, else public. */
function targetVisibility(request: PublishRequest, current: PublishState | null): 'public' | 'unlisted' {
  if (request.visibility === 'private')
    throw badRequest('A scheduled or draft video is published as public or unlisted; choose one of those', 'invalid_publish_visibility');
  if (request.visibility) return request.visibility;
  if (current?.publish_visibility) return current.publish_visibility;
  return current && current.visibility !== 'private' ? current.visibility : 'public';
}

/**
 * Turns what a creator asked for into the publishing columns, or null when the request does not touch publishing.
 *
 * - `publishAt` (future): private until then, then `visibility` (public unless unlisted is asked).
 * - `draft: true`: private until published; `publishAt: null` on a scheduled video turns it back into a draft.
 * - `draft: false`, or an explicit `visibility`: published now, any schedule dropped.
 */
export function resolvePublishState(request: PublishRequest, current: PublishState | null, now: Date): PublishState | null {
  if (typeof request.publishAt === 'string') {
    const at = new Date(request.publishAt);
    if (Number.isNaN(at.getTime())) throw badRequest('publishAt is not a valid date', 'invalid_publish_at');
    if (at.getTime() <= now.getTime()) throw badRequest('Choose a publishing time in the future', 'publish_at_in_past');
    if (request.draft === true) throw badRequest('A video is either a draft or scheduled, not both', 'invalid_publish_state');
    return { visibility: 'private', draft: false, publish_at: at, publish_visibility: targetVisibility(request, current) };
  }
  if (request.draft === true || (request.publishAt === null && current?.publish_at)) {
    return { visibility: 'private', draft: true, publish_at: null, publish_visibility: targetVisibility(request, current) };
  }
  if (request.draft === false) {
    const visibility = request.visibility ?? current?.publish_visibility ?? (current && current.visibility !== 'private' ? current.visibility : 'public');
    return { visibility, draft: false, publish_at: null, publish_visibility: null };
  }
  if (request.visibility) return { visibility: request.visibility, draft: false, publish_at: null, publish_visibility: null };
  return null;
}

/** True when this change publishes a video that was a draft or scheduled (its publication date becomes now). */
export function isPublication(before: PublishState | null, after: PublishState): boolean {
  const wasWaiting = before !== null && (before.draft || before.publish_at !== null);
  return wasWaiting && after.visibility !== 'private' && !after.draft && after.publish_at === null;
}
