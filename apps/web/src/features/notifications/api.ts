import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { NotificationPage, UnreadCount } from '@tube/shared';
import { requestJson, withQuery, jsonBody } from '../../api/client.ts';

export const notificationsApi = {
  notifications: (cursor: string | null) => requestJson<NotificationPage>(withQuery('/api/v1/notifications', { cursor, limit: 20 })),
  unreadNotifications: () => requestJson<UnreadCount>('/api/v1/notifications/unread-count'),
  /** Without ids, marks every notification read. */
  markNotificationsRead: (ids?: string[]) => requestJson<UnreadCount>('/api/v1/notifications/read', jsonBody('POST', ids ? { ids } : {})),
};

export const notificationKeys = {
  notifications: [...keyRoots.me, 'notifications'] as const,
  unreadNotifications: [...keyRoots.me, 'notifications', 'unread'] as const,
};

export const notificationQueries = {
  notifications: () =>
    infiniteQueryOptions({
      queryKey: notificationKeys.notifications,
      queryFn: ({ pageParam }) => notificationsApi.notifications(pageParam),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  unread: () => queryOptions({ queryKey: notificationKeys.unreadNotifications, queryFn: () => notificationsApi.unreadNotifications() }),
};
