import { ErrorBody, MarkReadBody, NotificationPage, NotificationQuery, UnreadCount } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { requireUser } from '../http/auth-context.ts';

const errors = { 400: ErrorBody, 401: ErrorBody };
const bearer = [{ bearer: [] }];

export async function notificationRoutes(app: App): Promise<void> {
  const notifications = app.services.notifications;

  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first',
        description: 'New uploads of channels I subscribe to, and my own uploads finishing processing (ready or failed, with the reason).',
        security: bearer,
        querystring: NotificationQuery,
        response: { 200: NotificationPage, ...errors },
      },
    },
    async (request) => notifications.list(await requireUser(request), request.query),
  );

  app.get(
    '/api/v1/notifications/unread-count',
    { schema: { tags: ['notifications'], summary: 'How many of my notifications are unread (for a badge)', security: bearer, response: { 200: UnreadCount, ...errors } } },
    async (request) => notifications.unreadCount(await requireUser(request)),
  );

  app.post(
    '/api/v1/notifications/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark notifications read: the given ids, or all of them',
        security: bearer,
        body: MarkReadBody,
        response: { 200: UnreadCount, ...errors },
      },
      // A bare POST (no body at all) means "all", like an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => notifications.markRead(await requireUser(request), request.body.ids),
  );
}
