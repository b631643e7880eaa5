import type { CreatedReport, CreateReportBody, ModerationState, Report, ReportListQuery, ReportPage, ResolvedReports } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { AppError, conflict, notFound } from '../infra/http/errors.ts';
import type { VideoService } from '../videos/video.service.ts';
import { decodeKeyset, encodeKeyset, pageOf } from '../infra/db/keyset.ts';
import type { ListingCache } from '../videos/listing-cache.ts';
import { DuplicateOpenReportError, type ModerationRepository, type ReportTargetRef } from './moderation.repository.ts';

const REPORT_ORDER = 'reports';

type ReportRow = NonNullable<Awaited<ReturnType<ModerationRepository['findReport']>>>;

export class ModerationService {
  constructor(
    private readonly repo: ModerationRepository,
    private readonly videos: VideoService,
    private readonly listings: ListingCache,
  ) {}

  /** Anyone signed in may report what they can see; one open report per reporter and target. */
  async report(reporter: AuthUser, input: CreateReportBody): Promise<CreatedReport> {
    const target: ReportTargetRef = { type: input.targetType, id: input.targetId };
    if (target.type === 'video') {
      await this.videos.get(target.id, reporter);
    } else {
      const comment = await this.repo.findComment(target.id);
      if (!comment || comment.hidden_at) throw notFound('Comment not found');
      // A comment under a video the reporter cannot see is as missing as the video.
      await this.videos.get(comment.video_id, reporter).catch((error: unknown) => {
        throw error instanceof AppError && error.statusCode === 404 ? notFound('Comment not found') : error;
      });
    }
    let id: string;
    try {
      id = await this.repo.createReport({ reporterId: reporter.id, target, reason: input.reason, details: input.details?.trim() ?? '' });
    } catch (error) {
      if (error instanceof DuplicateOpenReportError) throw conflict('You have already reported this; moderators will look at it', 'already_reported');
      throw error;
    }
    const report = await this.getReport(id);
    return {
      id: report.id,
      targetType: report.targetType,
      targetId: report.targetId,
      reason: report.reason,
      details: report.details,
      status: report.status,
      createdAt: report.createdAt,
    };
  }

  async listReports(query: ReportListQuery): Promise<ReportPage> {
    const limit = query.limit ?? 50;
    const rows = await this.repo.listReports({
      status: query.status ?? 'open',
      ...(query.targetType ? { targetType: query.targetType } : {}),
      after: decodeKeyset(`${REPORT_ORDER}:${query.status ?? 'open'}`, query.cursor, 'string'),
      limit: limit + 1,
    });
    return pageOf(
      rows,
      limit,
      (row) => toReportDto(row),
      (row) => encodeKeyset(`${REPORT_ORDER}:${query.status ?? 'open'}`, { key: row.position, id: row.id }),
    );
  }

  private async getReport(id: string): Promise<Report> {
    const row = await this.repo.findReport(id);
    if (!row) throw notFound('Report not found');
    return toReportDto(row);
  }

  /** Hides the target or keeps it, and resolves every open report on it the same way. */
  async resolve(moderator: AuthUser, reportId: string, action: 'hide' | 'dismiss'): Promise<ResolvedReports> {
    const outcome = await this.repo.transaction(async (trx) => {
      const report = await this.repo.lockReport(trx, reportId);
      if (!report) throw notFound('Report not found');
      if (report.status !== 'open') throw conflict('This report has already been resolved', 'already_resolved');
      const target = targetOf(report);
      if (action === 'hide') {
        if (target.type === 'video') await this.repo.setVideoHidden(trx, target.id, { reason: report.reason });
        else await this.repo.setCommentHidden(trx, target.id, true);
      }
      const resolvedCount = await this.repo.resolveOpenReports(trx, target, action === 'hide' ? 'hidden' : 'dismissed', moderator.id);
      return { target, resolvedCount };
    });
    if (action === 'hide') await this.afterVisibilityChange(outcome.target);
    return { report: await this.getReport(reportId), resolvedCount: outcome.resolvedCount };
  }

  /** Hiding also resolves the target's open reports (as hidden); unhiding leaves reports alone. */
  async setHidden(moderator: AuthUser, target: ReportTargetRef, hidden: boolean, reason?: string): Promise<ModerationState> {
    const state = await this.repo.transaction(async (trx) => {
      let result: ModerationState;
      if (target.type === 'video') {
        const row = await this.repo.setVideoHidden(trx, target.id, hidden ? { reason: reason?.trim() || null } : null);
        if (!row) throw notFound('Video not found');
        result = { targetType: 'video', targetId: row.id, hidden: row.hidden_at !== null, hiddenAt: isoOrNull(row.hidden_at), reason: row.hidden_reason };
      } else {
        const row = await this.repo.setCommentHidden(trx, target.id, hidden);
        if (!row) throw notFound('Comment not found');
        result = { targetType: 'comment', targetId: row.id, hidden: row.hidden_at !== null, hiddenAt: isoOrNull(row.hidden_at), reason: null };
      }
      if (hidden) await this.repo.resolveOpenReports(trx, target, 'hidden', moderator.id);
      return result;
    });
    await this.afterVisibilityChange(target);
    return state;
  }

  /** Drops the video's cached copy and every cached listing, so the change shows everywhere at once. */
  private async afterVisibilityChange(target: ReportTargetRef): Promise<void> {
    if (target.type === 'video') await this.videos.invalidate(target.id);
    await this.listings.bump();
  }
}

function targetOf(report: { target_type: 'video' | 'comment'; video_id: string | null; comment_id: string | null }): ReportTargetRef {
  return report.target_type === 'video' ? { type: 'video', id: report.video_id! } : { type: 'comment', id: report.comment_id! };
}

function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

function toReportDto(row: ReportRow): Report {
  const target: Report['target'] =
    row.target_type === 'video'
      ? {
          type: 'video',
          id: row.video_id!,
          title: row.video_title ?? '',
          channel: { id: row.channel_id ?? '', handle: row.channel_handle ?? '', name: row.channel_name ?? '' },
          visibility: row.video_visibility ?? 'private',
          hiddenAt: isoOrNull(row.video_hidden_at),
        }
      : {
          type: 'comment',
          id: row.comment_id!,
          videoId: row.comment_video_id ?? '',
          body: row.comment_body ?? '',
          author: { id: row.author_id ?? '', username: row.author_username ?? '' },
          hiddenAt: isoOrNull(row.comment_hidden_at),
        };
  return {
    id: row.id,
    targetType: row.target_type,
    targetId: target.id,
    reason: row.reason,
    details: row.details,
    status: row.status,
    resolution: row.resolution,
    resolvedAt: isoOrNull(row.resolved_at),
    createdAt: row.created_at.toISOString(),
    reporter: { id: row.reporter_id, username: row.reporter_username },
    target,
    openReportsOnTarget: Number(row.open_reports_on_target),
  };
}
