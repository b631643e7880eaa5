import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/db/database.ts';
import type { Database, ReportReasonColumn } from '../infra/db/schema.ts';
import type { Keyset } from '../infra/db/keyset.ts';
import { isUniqueViolation } from '../infra/db/errors.ts';

export type ReportTargetRef = { type: 'video'; id: string } | { type: 'comment'; id: string };
type Executor = Db | Transaction<Database>;

export class DuplicateOpenReportError extends Error {}

export class ModerationRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  findComment(id: string) {
    return this.db.selectFrom('comments').select(['id', 'video_id', 'user_id', 'hidden_at']).where('id', '=', id).executeTakeFirst();
  }

  /** Throws DuplicateOpenReportError when this reporter already has an open report on the target. */
  async createReport(input: { reporterId: string; target: ReportTargetRef; reason: ReportReasonColumn; details: string }): Promise<string> {
    try {
      const { id } = await this.db
        .insertInto('reports')
        .values({
          reporter_id: input.reporterId,
          target_type: input.target.type,
          video_id: input.target.type === 'video' ? input.target.id : null,
          comment_id: input.target.type === 'comment' ? input.target.id : null,
          reason: input.reason,
          details: input.details,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateOpenReportError();
      throw error;
    }
  }

  /** Reports with what moderators need to judge them: the target as it is now and how many open reports it has. */
  private selectReports(db: Executor = this.db) {
    return db
      .selectFrom('reports')
      .innerJoin('users as reporter', 'reporter.id', 'reports.reporter_id')
      .leftJoin('videos', 'videos.id', 'reports.video_id')
      .leftJoin('channels', 'channels.id', 'videos.channel_id')
      .leftJoin('comments', 'comments.id', 'reports.comment_id')
      .leftJoin('users as author', 'author.id', 'comments.user_id')
      .selectAll('reports')
      .select([
        'reporter.username as reporter_username',
        'videos.title as video_title',
        'videos.visibility as video_visibility',
        'videos.hidden_at as video_hidden_at',
        'channels.id as channel_id',
        'channels.handle as channel_handle',
        'channels.name as channel_name',
        'comments.video_id as comment_video_id',
        'comments.body as comment_body',
        'comments.hidden_at as comment_hidden_at',
        'author.id as author_id',
        'author.username as author_username',
      ])
      .select(sql<string>`reports.created_at::text`.as('position'))
      .select(
        sql<number>`(CASE WHEN reports.video_id IS NOT NULL
          THEN (SELECT count(*) FROM reports AS others WHERE others.video_id = reports.video_id AND others.status = 'open')
          ELSE (SELECT count(*) FROM reports AS others WHERE others.comment_id = reports.comment_id AND others.status = 'open') END)::int`.as(
          'open_reports_on_target',
        ),
      );
  }

  findReport(id: string, db: Executor = this.db) {
    return this.selectReports(db).where('reports.id', '=', id).executeTakeFirst();
  }

  listReports(options: { status: 'open' | 'resolved'; targetType?: 'video' | 'comment'; after: Keyset<string> | null; limit: number }) {
    let query = this.selectReports().where('reports.status', '=', options.status);
    if (options.targetType) query = query.where('reports.target_type', '=', options.targetType);
    if (options.after) query = query.where(sql<boolean>`(reports.created_at, reports.id) < (${options.after.key}::timestamptz, ${options.after.id}::uuid)`);
    return query.orderBy('reports.created_at', 'desc').orderBy('reports.id', 'desc').limit(options.limit).execute();
  }

  /** Locks the report so two moderators resolving it at once do it once. */
  lockReport(trx: Transaction<Database>, id: string) {
    return trx
      .selectFrom('reports')
      .select(['id', 'status', 'target_type', 'video_id', 'comment_id', 'reason'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** Resolves every open report on the target; returns how many. */
  async resolveOpenReports(db: Executor, target: ReportTargetRef, resolution: 'hidden' | 'dismissed', moderatorId: string): Promise<number> {
    const result = await db
      .updateTable('reports')
      .set({ status: 'resolved', resolution, resolved_by: moderatorId, resolved_at: sql`now()` })
      .where(target.type === 'video' ? 'video_id' : 'comment_id', '=', target.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Hides (reason given) or unhides (null); keeps the first hiding time when hidden again. Undefined if no such video. */
  setVideoHidden(db: Executor, id: string, hidden: { reason: string | null } | null) {
    return db
      .updateTable('videos')
      .set(hidden ? { hidden_at: sql`coalesce(hidden_at, now())`, hidden_reason: hidden.reason } : { hidden_at: null, hidden_reason: null })
      .where('id', '=', id)
      .returning(['id', 'hidden_at', 'hidden_reason'])
      .executeTakeFirst();
  }

  setCommentHidden(db: Executor, id: string, hidden: boolean) {
    return db
      .updateTable('comments')
      .set({ hidden_at: hidden ? sql`coalesce(hidden_at, now())` : null })
      .where('id', '=', id)
      .returning(['id', 'hidden_at', 'video_id'])
      .executeTakeFirst();
  }
}
