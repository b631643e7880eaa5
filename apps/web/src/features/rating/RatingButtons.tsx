import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Rating, RatingState, Video } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useAuth } from '../../api/auth-context.tsx';
import { Icon } from '../../components/Icon.tsx';
import { SignInPopover } from '../../components/SignInPopover.tsx';
import { useToast } from '../../components/toasts.tsx';
import { formatCompactNumber } from '../../lib/format.ts';
import { applyRating, ratingAfterPress } from '../../lib/rating.ts';
import { ratingApi, ratingKeys, ratingQueries } from './api.ts';
import './rating.css';

/** Like and dislike, YouTube style: one pill, counts shown, the change visible at once and undone if refused. */
export function RatingButtons({ video }: { video: Video }) {
  const { user, status } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const key = ratingKeys.rating(video.id);
  const rating = useQuery({
    ...ratingQueries.rating(video.id),
    placeholderData: { likeCount: video.likeCount, dislikeCount: video.dislikeCount, myRating: 'none' },
    enabled: status !== 'loading',
  });
  const rate = useMutation({
    mutationFn: (next: Rating) => ratingApi.rate(video.id, next),
    onMutate: async (next) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<RatingState>(key) ?? rating.data;
      if (before) queryClient.setQueryData<RatingState>(key, applyRating(before, next));
      return { before };
    },
    onError: (error, _next, context) => {
      if (context?.before) queryClient.setQueryData(key, context.before);
      toast.show(describeError(error));
    },
    onSuccess: (saved, next) => {
      queryClient.setQueryData(key, saved);
      if (next === 'like') toast.show('Added to Liked videos');
      void queryClient.invalidateQueries({ queryKey: ratingKeys.likedVideos });
    },
  });

  const state = rating.data ?? { likeCount: video.likeCount, dislikeCount: video.dislikeCount, myRating: 'none' as const };
  const likeLabel = formatCompactNumber(state.likeCount);
  if (!user) {
    return (
      <div className="rating" data-testid="rating">
        <SignInPopover
          className="rating-button rating-like"
          triggerLabel={`Like this video along with ${state.likeCount} other ${state.likeCount === 1 ? 'person' : 'people'}`}
          trigger={
            <>
              <Icon name="thumbUp" /> <span data-testid="like-count">{likeLabel}</span>
            </>
          }
          title="Like this video?"
          message="Sign in to make your opinion count."
        />
        <SignInPopover
          className="rating-button rating-dislike"
          triggerLabel="Dislike this video"
          trigger={<Icon name="thumbDown" />}
          title="Don't like this video?"
          message="Sign in to make your opinion count."
        />
      </div>
    );
  }
  const press = (pressed: 'like' | 'dislike') => rate.mutate(ratingAfterPress(state.myRating, pressed));
  const liked = state.myRating === 'like';
  const disliked = state.myRating === 'dislike';
  return (
    <div className="rating" data-testid="rating" data-my-rating={state.myRating}>
      <button
        type="button"
        className="rating-button rating-like"
        aria-pressed={liked}
        aria-label={`Like this video along with ${state.likeCount - (liked ? 1 : 0)} other ${state.likeCount - (liked ? 1 : 0) === 1 ? 'person' : 'people'}`}
        title={liked ? 'Unlike' : 'I like this'}
        onClick={() => press('like')}
      >
        <Icon name={liked ? 'thumbUpFilled' : 'thumbUp'} /> <span data-testid="like-count">{likeLabel}</span>
      </button>
      <button
        type="button"
        className="rating-button rating-dislike"
        aria-pressed={disliked}
        aria-label="Dislike this video"
        title={disliked ? 'Remove dislike' : 'I dislike this'}
        onClick={() => press('dislike')}
      >
        <Icon name={disliked ? 'thumbDownFilled' : 'thumbDown'} />
        {state.dislikeCount > 0 ? <span data-testid="dislike-count">{formatCompactNumber(state.dislikeCount)}</span> : null}
      </button>
    </div>
  );
}
