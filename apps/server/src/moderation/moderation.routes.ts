import {
  CreatedReport,
  CreateReportBody,
  HideBody,
  IdParams,
  ModerationState,
  ReportListQuery,
  ReportPage,
  ResolvedReports,
  ResolveReportBody,
} from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401, 403, 404, 409);

export async function moderationRoutes(app: App): Promise<void> {
  const moderation = app.services.moderation;

  app.post(
    '/reports',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['moderation'],
        summary: 'Report a video or comment to the moderators',
        description: 'One open report per user and target (409 already_reported). 404 for targets the reporter cannot see.',
        body: CreateReportBody,
        response: { 201: CreatedReport, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await moderation.report(request.user, request.body)),
  );

  app.get(
    '/admin/reports',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['moderation'],
        summary: 'Reports for moderators, newest first (admins only)',
        querystring: ReportListQuery,
        response: { 200: ReportPage, ...errors },
      },
    },
    async (request) => {
      return moderation.listReports(request.query);
    },
  );

  app.post(
    '/admin/reports/:id/resolve',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['moderation'],
        summary: 'Resolve a report by hiding its target or dismissing it (admins only)',
        description: 'Resolves every open report on the same target. 409 already_resolved if this report is not open.',
        params: IdParams,
        body: ResolveReportBody,
        response: { 200: ResolvedReports, ...errors },
      },
    },
    async (request) => moderation.resolve(request.user, request.params.id, request.body.action),
  );

  for (const targetType of ['video', 'comment'] as const) {
    const target = (id: string) => ({ type: targetType, id });

    app.post(
      `/admin/${targetType}s/:id/hide`,
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['moderation'],
          summary: `Hide a ${targetType} from everyone but its owner and admins (admins only)`,
          description: `${targetType === 'video' ? 'The optional reason is kept for the owner. ' : ''}Open reports on it are resolved as hidden. The body may be omitted.`,
          params: IdParams,
          body: HideBody,
          response: { 200: ModerationState, ...errors },
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => moderation.setHidden(request.user, target(request.params.id), true, request.body.reason),
    );

    app.post(
      `/admin/${targetType}s/:id/unhide`,
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['moderation'],
          summary: `Show a hidden ${targetType} again (admins only)`,
          params: IdParams,
          response: { 200: ModerationState, ...errors },
        },
      },
      async (request) => moderation.setHidden(request.user, target(request.params.id), false),
    );
  }
}
