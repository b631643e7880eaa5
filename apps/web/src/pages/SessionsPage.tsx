import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Session } from '@tube/shared';
import { useNavigate } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { useAuthClient } from '../api/auth-context.tsx';
import { Icon } from '../components/Icon.tsx';
import { useToast } from '../components/toasts.tsx';
import { ErrorMessage, PageLoading } from '../components/ui.tsx';
import { formatDate, formatRelativeTime } from '../lib/format.ts';
import { describeUserAgent } from '../lib/user-agent.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { authApi, authKeys, authQueries } from '../features/auth/api.ts';
import './sessions.css';

export function SessionsPage() {
  useDocumentTitle('Sessions');
  const queryClient = useQueryClient();
  const authClient = useAuthClient();
  const navigate = useNavigate();
  const toast = useToast();
  const sessions = useQuery(authQueries.sessions());
  const revoke = useMutation({
    mutationFn: authApi.revokeSession,
    onSuccess: () => toast.show('Signed out that device'),
    onError: (error) => toast.show(describeError(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: authKeys.sessions }),
  });
  const revokeOthers = useMutation({
    mutationFn: authApi.revokeOtherSessions,
    onSuccess: () => toast.show('Signed out all other devices'),
    onError: (error) => toast.show(describeError(error)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: authKeys.sessions }),
  });

  if (sessions.isPending) return <PageLoading />;
  if (sessions.isError) return <ErrorMessage message={describeError(sessions.error)} onRetry={() => void sessions.refetch()} />;

  const items = [...sessions.data.items].sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt));
  const otherCount = items.filter((session) => !session.current).length;

  return (
    <div className="page page-narrow">
      <h1>Sessions</h1>
      <p className="muted">Devices where your account is signed in. Sign out any you don't recognise.</p>
      <ul className="session-list" data-testid="session-list">
        {items.map((session) => (
          <SessionRow
            key={session.id}
            session={session}
            busy={revoke.isPending && revoke.variables === session.id}
            onSignOut={async () => {
              if (session.current) {
                await authClient.signOut();
                await navigate('/');
              } else {
                revoke.mutate(session.id);
              }
            }}
          />
        ))}
      </ul>
      <button type="button" className="button button-outline" disabled={otherCount === 0 || revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>
        <Icon name="signOut" />
        Sign out all other devices{otherCount > 0 ? ` (${otherCount})` : ''}
      </button>
    </div>
  );
}

function SessionRow({ session, busy, onSignOut }: { session: Session; busy: boolean; onSignOut: () => void }) {
  return (
    <li className="session" data-current={session.current || undefined}>
      <Icon name="devices" size={32} />
      <div className="session-details">
        <div className="session-device">
          {describeUserAgent(session.userAgent)}
          {session.current ? <span className="chip chip-ready">This device</span> : null}
        </div>
        <div className="muted">
          {session.ip ? `${session.ip} · ` : ''}
          {session.current ? 'Active now' : `Last active ${formatRelativeTime(session.lastUsedAt)}`} · Signed in {formatDate(session.createdAt)}
        </div>
      </div>
      <button type="button" className="button button-text" onClick={onSignOut} disabled={busy}>
        Sign out
      </button>
    </li>
  );
}
