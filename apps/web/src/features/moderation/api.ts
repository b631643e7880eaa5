import { infiniteQueryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { CreateReportBody, CreatedReport, ReportPage, ReportStatus, ResolvedReports } from '@tube/shared';
import { requestJson, requestNoContent, withQuery, jsonBody } from '../../api/client.ts';

export const moderationApi = {
  report: (body: CreateReportBody) => requestJson<CreatedReport>('/api/v1/reports', jsonBody('POST', body)),
  listReports: (status: ReportStatus, cursor: string | null) => requestJson<ReportPage>(withQuery('/api/v1/admin/reports', { status, cursor, limit: 50 })),
  resolveReport: (reportId: string, action: 'hide' | 'dismiss') =>
    requestJson<ResolvedReports>(`/api/v1/admin/reports/${encodeURIComponent(reportId)}/resolve`, jsonBody('POST', { action })),
  setHidden: (targetType: 'video' | 'comment', targetId: string, hidden: boolean) =>
    requestNoContent(
      `/api/v1/admin/${targetType}s/${encodeURIComponent(targetId)}/${hidden ? 'hide' : 'unhide'}`,
      hidden ? jsonBody('POST', {}) : { method: 'POST' },
    ),
};

export const moderationKeys = {
  reports: (status: string) => [...keyRoots.me, 'admin', 'reports', status] as const,
};

export const moderationQueries = {
  reports: (status: ReportStatus) =>
    infiniteQueryOptions({
      queryKey: moderationKeys.reports(status),
      queryFn: ({ pageParam }) => moderationApi.listReports(status, pageParam),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
};
