import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type {
  ChannelAnalytics,
  Quota,
  StudioBulkBody,
  StudioBulkResult,
  StudioVideoPage,
  StudioVideoQuery,
  Video,
  VideoAnalytics,
  VideoPage,
} from '@tube/shared';
import { requestJson, withQuery, jsonBody, videoPath, channelPath, PAGE_SIZE } from '../../api/client.ts';

export const studioApi = {
  listStudioVideos: (cursor: string | null, filters: Omit<StudioVideoQuery, 'cursor' | 'limit'> = {}) =>
    requestJson<StudioVideoPage>(withQuery('/api/v1/studio/videos', { ...filters, cursor, limit: PAGE_SIZE })),
  studioBulk: (body: StudioBulkBody) => requestJson<StudioBulkResult>('/api/v1/studio/videos/bulk', jsonBody('POST', body)),
  /** The image goes as the raw request body; the server checks and re-encodes it. */
  setThumbnail: (id: string, image: Blob) =>
    requestJson<Video>(`${videoPath(id)}/thumbnail`, { method: 'PUT', headers: { 'content-type': image.type }, body: image }),
  setThumbnailFromFrame: (id: string, atSeconds: number) => requestJson<Video>(`${videoPath(id)}/thumbnail/frame`, jsonBody('POST', { atSeconds })),
  resetThumbnail: (id: string) => requestJson<Video>(`${videoPath(id)}/thumbnail`, { method: 'DELETE' }),
  listScheduledVideos: (handle: string) => requestJson<VideoPage>(`${channelPath(handle)}/scheduled`),
  videoAnalytics: (id: string, days: number) => requestJson<VideoAnalytics>(withQuery(`/api/v1/studio/videos/${encodeURIComponent(id)}/analytics`, { days })),
  channelAnalytics: (handle: string, days: number) =>
    requestJson<ChannelAnalytics>(withQuery(`/api/v1/studio/channels/${encodeURIComponent(handle)}/analytics`, { days })),
  quota: () => requestJson<Quota>('/api/v1/users/me/quota'),
};

export const studioKeys = {
  all: keyRoots.studio,
  videos: keyRoots.studioVideos,
  scheduled: (channelHandle: string) => [...keyRoots.studio, 'scheduled', channelHandle] as const,
  videoAnalytics: (id: string, days: number) => [...keyRoots.studio, 'analytics', id, days] as const,
  channelAnalytics: (handle: string, days: number) => [...keyRoots.studio, 'channel-analytics', handle, days] as const,
  quota: [...keyRoots.me, 'quota'] as const,
};

export const studioQueries = {
  videos: (filters: Omit<StudioVideoQuery, 'cursor' | 'limit'>) =>
    infiniteQueryOptions({
      queryKey: [...studioKeys.videos, filters] as const,
      queryFn: ({ pageParam }) => studioApi.listStudioVideos(pageParam, filters),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  scheduled: (channelHandle: string) =>
    queryOptions({ queryKey: studioKeys.scheduled(channelHandle), queryFn: () => studioApi.listScheduledVideos(channelHandle) }),
  videoAnalytics: (id: string, days: number) =>
    queryOptions({ queryKey: studioKeys.videoAnalytics(id, days), queryFn: () => studioApi.videoAnalytics(id, days) }),
  channelAnalytics: (handle: string, days: number) =>
    queryOptions({ queryKey: studioKeys.channelAnalytics(handle, days), queryFn: () => studioApi.channelAnalytics(handle, days) }),
  quota: () => queryOptions({ queryKey: studioKeys.quota, queryFn: () => studioApi.quota() }),
};
