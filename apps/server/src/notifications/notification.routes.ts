import { MarkReadBody, NotificationPage, NotificationQuery, UnreadCount } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';

const errors = errorResponses(400, 401);

export async function notificationRoutes(app: App): Promise<void> {
  const notifications = app.services.notifications;

  app.get(
    '/notifications',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['notifications'],
        summary: 'My notifications, newest first',
        description: 'New uploads of channels I subscribe to, and my own uploads finishing processing (ready or failed, with the reason).',
        querystring: NotificationQuery,
        response: { 200: NotificationPage, ...errors },
      },
    },
    async (request) => notifications.list(request.user, request.query),
  );

  app.get(
    '/notifications/unread-count',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['notifications'],
        summary: 'How many of my notifications are unread (for a badge)',
        response: { 200: UnreadCount, ...errors },
      },
    },
    async (request) => notifications.unreadCount(request.user),
  );

  app.post(
    '/notifications/read',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark notifications read: the given ids, or all of them',
        body: MarkReadBody,
        response: { 200: UnreadCount, ...errors },
      },
      // A bare POST (no body at all) means "all", like an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => notifications.markRead(request.user, request.body.ids),
  );
}
