import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { useAuthClient } from '../api/auth-context.tsx';
import { Logo } from '../app/Layout.tsx';
import { Spinner } from '../components/ui.tsx';
import { safeRedirectPath } from '../lib/validation.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import './auth.css';

/** The end of a sign-in through the identity provider: trades the one-time code in the URL fragment for a session. */
export function ExternalSignInPage() {
  useDocumentTitle('Signing in');
  const authClient = useAuthClient();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeRedirectPath(searchParams.get('returnTo'));
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
    // The code is single-use; keep it out of the history.
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    if (!code) {
      setError('This sign-in link is incomplete; please sign in again.');
      return;
    }
    authClient.exchangeExternalCode(code).then(
      (outcome) => {
        if (outcome.kind === 'twoFactor')
          void navigate(`/signin?next=${encodeURIComponent(next)}`, { replace: true, state: { challengeToken: outcome.challengeToken } });
        else void navigate(next, { replace: true });
      },
      (caught: unknown) => setError(describeError(caught)),
    );
  }, [authClient, navigate, next]);

  return (
    <div className="auth-page">
      <div className="auth-card">
        <Logo />
        <h1>Signing in</h1>
        {error ? (
          <>
            <p className="form-error" role="alert">
              {error}
            </p>
            <div className="auth-actions">
              <Link to="/signin">Back to sign in</Link>
            </div>
          </>
        ) : (
          <Spinner label="Signing in" />
        )}
      </div>
    </div>
  );
}
