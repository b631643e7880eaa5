import { CreatedReport, CreateReportBody, ErrorBody, HideBody, IdParams, ModerationState, ReportListQuery, ReportPage, ResolvedReports, ResolveReportBody } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { requireAdmin, requireUser } from '../http/auth-context.ts';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const bearer = [{ bearer: [] }];

export async function moderationRoutes(app: App): Promise<void> {
  const moderation = app.services.moderation;

  app.post(
    '/api/v1/reports',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Report a video or comment to the moderators',
        description: 'One open report per user and target (409 already_reported). 404 for targets the reporter cannot see.',
        security: bearer,
        body: CreateReportBody,
        response: { 201: CreatedReport, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await moderation.report(await requireUser(request), request.body)),
  );

  app.get(
    '/api/v1/admin/reports',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Reports for moderators, newest first (admins only)',
        security: bearer,
        querystring: ReportListQuery,
        response: { 200: ReportPage, ...errors },
      },
    },
    async (request) => {
      await requireAdmin(request);
      return moderation.listReports(request.query);
    },
  );

  app.post(
    '/api/v1/admin/reports/:id/resolve',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Resolve a report by hiding its target or dismissing it (admins only)',
        description: 'Resolves every open report on the same target. 409 already_resolved if this report is not open.',
        security: bearer,
        params: IdParams,
        body: ResolveReportBody,
        response: { 200: ResolvedReports, ...errors },
      },
    },
    async (request) => moderation.resolve(await requireAdmin(request), request.params.id, request.body.action),
  );

  for (const targetType of ['video', 'comment'] as const) {
    const target = (id: string) => ({ type: targetType, id });

    app.post(
      `/api/v1/admin/${targetType}s/:id/hide`,
      {
        schema: {
          tags: ['moderation'],
          summary: `Hide a ${targetType} from everyone but its owner and admins (admins only)`,
          description: `${targetType === 'video' ? 'The optional reason is kept for the owner. ' : ''}Open reports on it are resolved as hidden. The body may be omitted.`,
          security: bearer,
          params: IdParams,
          body: HideBody,
          response: { 200: ModerationState, ...errors },
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => moderation.setHidden(await requireAdmin(request), target(request.params.id), true, request.body.reason),
    );

    app.post(
      `/api/v1/admin/${targetType}s/:id/unhide`,
      {
        schema: {
          tags: ['moderation'],
          summary: `Show a hidden ${targetType} again (admins only)`,
          security: bearer,
          params: IdParams,
          response: { 200: ModerationState, ...errors },
        },
      },
      async (request) => moderation.setHidden(await requireAdmin(request), target(request.params.id), false),
    );
  }
}
