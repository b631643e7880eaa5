import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { Icon, type IconName } from '../../components/Icon.tsx';
import { EmptyState, PageLoading } from '../../components/ui.tsx';
import { useAuth } from '../../api/auth-context.tsx';

/**
 * For pages about one's own things (subscriptions, library): signed-out visitors get an explanation
 * and a way to sign in and come back, as on YouTube, instead of a bare redirect.
 */
export function SignInRequired({ icon, title, message, children }: { icon: IconName; title: string; message: string; children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'loading') return <PageLoading />;
  if (status === 'signedOut') {
    return (
      <div className="page">
        <EmptyState icon={icon} title={title}>
          <p className="muted">{message}</p>
          <Link to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} className="button button-outline">
            <Icon name="channel" /> Sign in
          </Link>
        </EmptyState>
      </div>
    );
  }
  return children;
}
