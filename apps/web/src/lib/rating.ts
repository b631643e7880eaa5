import type { Rating, RatingState } from '@tube/shared';

/** What pressing like or dislike asks for: pressing the active one again takes the rating back. */
export function ratingAfterPress(current: Rating, pressed: 'like' | 'dislike'): Rating {
  return current === pressed ? 'none' : pressed;
}

/** The counts as they will be once `next` is stored, for showing the change before the server answers. */
export function applyRating(state: RatingState, next: Rating): RatingState {
  const counts = { like: state.likeCount, dislike: state.dislikeCount };
  if (state.myRating !== 'none') counts[state.myRating] = Math.max(0, counts[state.myRating] - 1);
  if (next !== 'none') counts[next] += 1;
  return { likeCount: counts.like, dislikeCount: counts.dislike, myRating: next };
}
