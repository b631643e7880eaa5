import { useCallback, useRef, useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { Notification } from '@tube/shared';
import { ApiError, describeError } from '../../api/errors.ts';
import { describeNotification, formatUnreadBadge, notificationLink } from '../../lib/notifications.ts';
import { formatRelativeTime } from '../../lib/format.ts';
import { Icon } from '../../components/Icon.tsx';
import { ErrorMessage, Spinner } from '../../components/ui.tsx';
import { useDismiss } from '../../components/use-dismiss.ts';
import { notificationKeys, notificationsApi, notificationQueries } from './api.ts';
import '../../components/menu.css';
import './notifications.css';

const UNREAD_POLL_MS = 60_000;

/** The top bar's bell: unread count, and a panel listing notifications with "Mark all as read". */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const queryClient = useQueryClient();
  const close = useCallback(() => setOpen(false), []);
  useDismiss(containerRef, open, close);
  const unread = useQuery({
    ...notificationQueries.unread(),
    refetchInterval: UNREAD_POLL_MS,
    retry: false,
  });
  const markRead = useMutation({
    mutationFn: (ids?: string[]) => notificationsApi.markNotificationsRead(ids),
    onSuccess: (counts, ids) => {
      queryClient.setQueryData(notificationKeys.unreadNotifications, counts);
      queryClient.setQueryData<{ pages: Array<{ items: Notification[]; nextCursor: string | null }>; pageParams: unknown[] }>(
        notificationKeys.notifications,
        (data) =>
          data
            ? {
                ...data,
                pages: data.pages.map((page) => ({
                  ...page,
                  items: page.items.map((item) => (!ids || ids.includes(item.id) ? { ...item, read: true } : item)),
                })),
              }
            : data,
      );
    },
  });

  // Servers without notifications answer 404: no bell then.
  if (unread.isError && unread.error instanceof ApiError && unread.error.status === 404) return null;
  const count = unread.data?.unread ?? 0;
  const label = count > 0 ? `Notifications, ${count} unread` : 'Notifications';
  return (
    <div className="menu-anchor" ref={containerRef}>
      <button
        ref={buttonRef}
        type="button"
        className="icon-button notification-button"
        aria-label={label}
        aria-expanded={open}
        aria-haspopup="dialog"
        data-testid="notification-button"
        onClick={() => {
          if (!open) void queryClient.invalidateQueries({ queryKey: notificationKeys.notifications });
          setOpen((value) => !value);
        }}
      >
        <Icon name="bell" />
        {count > 0 ? (
          <span className="notification-badge" data-testid="notification-badge" aria-hidden="true">
            {formatUnreadBadge(count)}
          </span>
        ) : null}
      </button>
      {open ? (
        <NotificationPanel
          unreadCount={count}
          onMarkAllRead={() => markRead.mutate(undefined)}
          onOpenNotification={(notification) => {
            if (!notification.read) markRead.mutate([notification.id]);
            setOpen(false);
          }}
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

function NotificationPanel({
  unreadCount,
  onMarkAllRead,
  onOpenNotification,
  onClose,
}: {
  unreadCount: number;
  onMarkAllRead(): void;
  onOpenNotification(notification: Notification): void;
  onClose(): void;
}) {
  const notifications = useInfiniteQuery(notificationQueries.notifications());
  const items = notifications.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div
      className="menu notification-panel"
      role="dialog"
      aria-label="Notifications"
      data-testid="notification-panel"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="notification-panel-header">
        <h2>Notifications</h2>
        <button type="button" className="button button-text" disabled={unreadCount === 0} onClick={onMarkAllRead}>
          Mark all as read
        </button>
      </div>
      {notifications.isPending ? <Spinner label="Loading notifications" /> : null}
      {notifications.isError ? <ErrorMessage message={describeError(notifications.error)} onRetry={() => void notifications.refetch()} /> : null}
      {notifications.isSuccess && items.length === 0 ? (
        <div className="notification-empty">
          <Icon name="bell" size={48} />
          <p>Your notifications live here</p>
          <p className="muted">Subscribe to channels to hear about their new videos.</p>
        </div>
      ) : null}
      <ul className="notification-list">
        {items.map((notification) => (
          <li key={notification.id} data-testid="notification" data-read={notification.read}>
            <NotificationItem notification={notification} onOpen={() => onOpenNotification(notification)} />
          </li>
        ))}
      </ul>
      {notifications.hasNextPage ? (
        <button type="button" className="button button-text" disabled={notifications.isFetchingNextPage} onClick={() => void notifications.fetchNextPage()}>
          Show more
        </button>
      ) : null}
    </div>
  );
}

function NotificationItem({ notification, onOpen }: { notification: Notification; onOpen(): void }) {
  const link = notificationLink(notification);
  const content = (
    <>
      <span className="notification-dot" aria-hidden="true" data-unread={!notification.read || undefined} />
      <span className="notification-text">
        <span>{describeNotification(notification)}</span>
        <span className="muted">
          {formatRelativeTime(notification.createdAt)}
          {notification.read ? '' : ' · Unread'}
        </span>
      </span>
      {notification.video?.thumbnailUrl ? <img className="notification-thumb" src={notification.video.thumbnailUrl} alt="" loading="lazy" /> : null}
    </>
  );
  return link ? (
    <Link to={link} className="notification-item" onClick={onOpen}>
      {content}
    </Link>
  ) : (
    <div className="notification-item">{content}</div>
  );
}
