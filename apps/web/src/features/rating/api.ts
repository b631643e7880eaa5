import { queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { Rating, RatingState, VideoPage } from '@tube/shared';
import { requestJson, withQuery, jsonBody, videoPath, PAGE_SIZE } from '../../api/client.ts';

export const ratingApi = {
  getRating: (videoId: string) => requestJson<RatingState>(`${videoPath(videoId)}/rating`),
  rate: (videoId: string, rating: Rating) => requestJson<RatingState>(`${videoPath(videoId)}/rating`, jsonBody('PUT', { rating })),
  likedVideos: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/users/me/liked-videos', { cursor, limit: PAGE_SIZE })),
};

export const ratingKeys = {
  rating: (videoId: string) => ['rating', videoId] as const,
  likedVideos: [...keyRoots.me, 'feed', 'liked'] as const,
  likedPreview: [...keyRoots.me, 'feed', 'liked', 'preview'] as const,
};

export const ratingQueries = {
  rating: (videoId: string) => queryOptions({ queryKey: ratingKeys.rating(videoId), queryFn: () => ratingApi.getRating(videoId) }),
  likedPreview: () => queryOptions({ queryKey: ratingKeys.likedPreview, queryFn: () => ratingApi.likedVideos(null) }),
};
