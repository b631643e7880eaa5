import { queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { CaptionList, Playback, PublishVisibility, RelatedVideos, TrendingPage, UpdateVideoBody, Video, VideoPage } from '@tube/shared';
import { requestJson, requestNoContent, withQuery, jsonBody, videoPath, PAGE_SIZE } from '../../api/client.ts';

export const videosApi = {
  listVideos: (cursor: string | null) => requestJson<VideoPage>(withQuery('/api/v1/videos', { cursor, limit: PAGE_SIZE })),
  trending: (cursor: string | null, limit = PAGE_SIZE) => requestJson<TrendingPage>(withQuery('/api/v1/feed/trending', { cursor, limit })),
  relatedVideos: (videoId: string) => requestJson<RelatedVideos>(withQuery(`${videoPath(videoId)}/related`, { limit: 20 })),
  getVideo: (id: string) => requestJson<Video>(videoPath(id)),
  getPlayback: (id: string) => requestJson<Playback>(`${videoPath(id)}/playback`),
  reportView: (id: string) => requestNoContent(`${videoPath(id)}/views`, { method: 'POST' }),
  getCaptions: (id: string) => requestJson<CaptionList>(`${videoPath(id)}/captions`),
  /** The file goes as the raw body; the server converts SRT and checks both formats. */
  uploadCaptions: (id: string, language: string, file: Blob, label: string | null) =>
    requestJson<CaptionList>(withQuery(`${videoPath(id)}/captions/${encodeURIComponent(language)}`, { label }), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    }),
  deleteCaptions: (id: string, language: string) => requestJson<CaptionList>(`${videoPath(id)}/captions/${encodeURIComponent(language)}`, { method: 'DELETE' }),
  updateVideo: (id: string, body: UpdateVideoBody) => requestJson<Video>(videoPath(id), jsonBody('PATCH', body)),
  moveVideo: (id: string, channelId: string) => requestJson<Video>(`${videoPath(id)}/channel`, jsonBody('PUT', { channelId })),
  deleteVideo: (id: string) => requestNoContent(videoPath(id), { method: 'DELETE' }),
  retryVideo: (id: string) => requestJson<Video>(`${videoPath(id)}/retry`, { method: 'POST' }),
  publishVideo: (id: string, visibility?: PublishVisibility) =>
    requestJson<Video>(`${videoPath(id)}/publish`, jsonBody('POST', visibility ? { visibility } : {})),
};

export const videoKeys = {
  video: keyRoots.video,
  captions: (videoId: string) => [...keyRoots.video(videoId), 'captions'] as const,
  playback: (videoId: string) => ['playback', videoId] as const,
  homeFeed: [...keyRoots.videoLists, 'feed'] as const,
  /** The home feed's first page alone, which the watch page falls back to when a video has no related ones. */
  homeFeedFirstPage: [...keyRoots.videoLists, 'feed', 'first-page'] as const,
  trending: [...keyRoots.videoLists, 'trending'] as const,
  /** The trending shelf on the home page (its own page size). */
  trendingOnHome: [...keyRoots.videoLists, 'trending', 'home'] as const,
  related: (videoId: string) => [...keyRoots.videoLists, 'related', videoId] as const,
};

/** The reads of videos, key and fetcher together; callers add their own refetch and enable rules. */
export const videoQueries = {
  video: (id: string) => queryOptions({ queryKey: videoKeys.video(id), queryFn: () => videosApi.getVideo(id) }),
  playback: (id: string) => queryOptions({ queryKey: videoKeys.playback(id), queryFn: () => videosApi.getPlayback(id) }),
  captions: (id: string) => queryOptions({ queryKey: videoKeys.captions(id), queryFn: () => videosApi.getCaptions(id) }),
  related: (id: string) => queryOptions({ queryKey: videoKeys.related(id), queryFn: () => videosApi.relatedVideos(id) }),
  homeFeedFirstPage: () => queryOptions({ queryKey: videoKeys.homeFeedFirstPage, queryFn: () => videosApi.listVideos(null) }),
  trendingOnHome: (limit: number) => queryOptions({ queryKey: videoKeys.trendingOnHome, queryFn: () => videosApi.trending(null, limit) }),
};
