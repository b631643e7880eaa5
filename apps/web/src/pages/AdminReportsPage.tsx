import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Report, ReportStatus } from '@tube/shared';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth } from '../api/auth-context.tsx';
import { LoadMore } from '../components/LoadMore.tsx';
import { useToast } from '../components/toasts.tsx';
import { EmptyState, ErrorMessage, PageLoading } from '../components/ui.tsx';
import { formatDate, formatRelativeTime } from '../lib/format.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { moderationApi, moderationKeys, moderationQueries } from '../features/moderation/api.ts';
import '../features/moderation/moderation.css';

const REASON_LABELS: Record<Report['reason'], string> = {
  spam: 'Spam or misleading',
  abuse: 'Hateful, abusive or harassing',
  copyright: 'Copyright',
  other: 'Other',
};

/** Moderators' queue: open reports (newest first) with the reported content, to hide or dismiss. */
export function AdminReportsPage() {
  useDocumentTitle('Reports');
  const { user } = useAuth();
  const [status, setStatus] = useState<ReportStatus>('open');
  if (user?.role !== 'admin') {
    return (
      <div className="page">
        <EmptyState icon="lock" title="For moderators only">
          <p className="muted">Only administrators can review reports.</p>
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="page page-list">
      <h1 className="page-title">Reports</h1>
      <div className="tabs" role="tablist" aria-label="Report status">
        {(['open', 'resolved'] as const).map((name) => (
          <button key={name} type="button" role="tab" className="tab" aria-selected={status === name} onClick={() => setStatus(name)}>
            {name === 'open' ? 'Open' : 'Resolved'}
          </button>
        ))}
      </div>
      <ReportList key={status} status={status} />
    </div>
  );
}

interface ReportPages {
  pages: Array<{ items: Report[]; nextCursor: string | null }>;
  pageParams: unknown[];
}

function ReportList({ status }: { status: ReportStatus }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const reports = useInfiniteQuery({
    ...moderationQueries.reports(status),
  });
  const resolve = useMutation({
    mutationFn: ({ report, action }: { report: Report; action: 'hide' | 'dismiss' }) => moderationApi.resolveReport(report.id, action),
    onSuccess: (result, { report, action }) => {
      // Resolving closes every open report on the same target.
      const sameTarget = (item: Report) => item.targetType === report.targetType && item.targetId === report.targetId;
      queryClient.setQueryData<ReportPages>(moderationKeys.reports('open'), (data) =>
        data ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((item) => !sameTarget(item)) })) } : data,
      );
      void queryClient.invalidateQueries({ queryKey: moderationKeys.reports('resolved') });
      toast.show(`${action === 'hide' ? 'Hidden' : 'Dismissed'}: ${result.resolvedCount === 1 ? '1 report' : `${result.resolvedCount} reports`} resolved`);
    },
    onError: (error) => {
      toast.show(describeError(error));
      if (error instanceof ApiError && error.status === 409) void reports.refetch();
    },
  });
  const unhide = useMutation({
    mutationFn: (report: Report) => moderationApi.setHidden(report.targetType, report.targetId, false),
    onSuccess: (_result, report) => {
      toast.show(`${report.targetType === 'video' ? 'Video' : 'Comment'} visible again`);
      void reports.refetch();
    },
    onError: (error) => toast.show(describeError(error)),
  });

  if (reports.isPending) return <PageLoading />;
  if (reports.isError) return <ErrorMessage message={describeError(reports.error)} onRetry={() => void reports.refetch()} />;
  const items = reports.data.pages.flatMap((page) => page.items);
  if (items.length === 0) {
    return (
      <EmptyState icon="shield" title={status === 'open' ? 'No open reports' : 'No resolved reports'}>
        <p className="muted">{status === 'open' ? 'Nothing waits for a decision.' : 'Decisions show up here.'}</p>
      </EmptyState>
    );
  }
  return (
    <>
      <ul className="report-list" data-testid="report-list">
        {items.map((report) => {
          const busy = (resolve.isPending && resolve.variables.report.id === report.id) || (unhide.isPending && unhide.variables.id === report.id);
          return (
            <li key={report.id} className="report" data-testid="report" data-report-id={report.id}>
              <div className="report-main">
                <p className="report-reason">
                  <strong>{REASON_LABELS[report.reason]}</strong>
                  {report.openReportsOnTarget > 1 ? <span className="chip">{report.openReportsOnTarget} open reports</span> : null}
                  {report.target.hiddenAt ? <span className="chip chip-failed">Hidden</span> : null}
                  {report.resolution ? <span className="chip">{report.resolution === 'hidden' ? 'Resolved: hidden' : 'Resolved: dismissed'}</span> : null}
                </p>
                <ReportTargetSummary report={report} />
                {report.details ? <p className="report-details">“{report.details}”</p> : null}
                <p className="muted">
                  Reported by {report.reporter.username} · <span title={formatDate(report.createdAt)}>{formatRelativeTime(report.createdAt)}</span>
                </p>
              </div>
              <div className="report-actions">
                {report.status === 'open' ? (
                  <>
                    <button type="button" className="button button-danger" disabled={busy} onClick={() => resolve.mutate({ report, action: 'hide' })}>
                      Hide {report.targetType}
                    </button>
                    <button type="button" className="button button-secondary" disabled={busy} onClick={() => resolve.mutate({ report, action: 'dismiss' })}>
                      Dismiss
                    </button>
                  </>
                ) : report.target.hiddenAt ? (
                  <button type="button" className="button button-secondary" disabled={busy} onClick={() => unhide.mutate(report)}>
                    Unhide {report.targetType}
                  </button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
      <LoadMore hasMore={reports.hasNextPage} loading={reports.isFetchingNextPage} onLoadMore={() => void reports.fetchNextPage()} />
    </>
  );
}

function ReportTargetSummary({ report }: { report: Report }) {
  const { target } = report;
  if (target.type === 'video') {
    return (
      <p className="report-target">
        Video: <Link to={`/watch/${target.id}`}>{target.title}</Link> <span className="muted">on {target.channel.name}</span>
      </p>
    );
  }
  return (
    <div className="report-target">
      <p>
        Comment by {target.author.username} on <Link to={`/watch/${target.videoId}`}>a video</Link>:
      </p>
      <blockquote className="report-comment">{target.body}</blockquote>
    </div>
  );
}
