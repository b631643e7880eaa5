import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { HistoryPage, HistorySettings, Progress } from '@tube/shared';
import { requestJson, requestNoContent, withQuery, jsonBody, videoPath, PAGE_SIZE } from '../../api/client.ts';

export const historyApi = {
  getProgress: (videoId: string) => requestJson<Progress>(`${videoPath(videoId)}/progress`),
  /** `keepalive` lets the last save outlive the page when it is being closed. */
  saveProgress: (videoId: string, positionSeconds: number, keepalive = false) =>
    requestNoContent(`${videoPath(videoId)}/progress`, { ...jsonBody('PUT', { positionSeconds }), keepalive }),
  history: (cursor: string | null) => requestJson<HistoryPage>(withQuery('/api/v1/users/me/history', { cursor, limit: PAGE_SIZE })),
  clearHistory: () => requestNoContent('/api/v1/users/me/history', { method: 'DELETE' }),
  removeFromHistory: (videoId: string) => requestNoContent(`/api/v1/users/me/history/${encodeURIComponent(videoId)}`, { method: 'DELETE' }),
  historySettings: () => requestJson<HistorySettings>('/api/v1/users/me/history/settings'),
  setHistoryPaused: (paused: boolean) => requestJson<HistorySettings>('/api/v1/users/me/history/settings', jsonBody('PUT', { paused })),
};

export const historyKeys = {
  history: [...keyRoots.me, 'history'] as const,
  preview: [...keyRoots.me, 'history', 'preview'] as const,
  historySettings: [...keyRoots.me, 'history-settings'] as const,
  progress: (videoId: string) => [...keyRoots.me, 'progress', videoId] as const,
};

export const historyQueries = {
  history: () =>
    infiniteQueryOptions({
      queryKey: historyKeys.history,
      queryFn: ({ pageParam }) => historyApi.history(pageParam),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  preview: () => queryOptions({ queryKey: historyKeys.preview, queryFn: () => historyApi.history(null) }),
  settings: () => queryOptions({ queryKey: historyKeys.historySettings, queryFn: () => historyApi.historySettings() }),
  progress: (videoId: string) => queryOptions({ queryKey: historyKeys.progress(videoId), queryFn: () => historyApi.getProgress(videoId) }),
};
