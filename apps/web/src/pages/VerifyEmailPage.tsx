import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { Logo } from '../app/Layout.tsx';
import { Spinner } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { authApi } from '../features/auth/api.ts';
import './auth.css';

/** Where the confirmation link in the email lands: confirms the address once, on open. */
export function VerifyEmailPage() {
  useDocumentTitle('Confirm email');
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token') ?? '';
  const [state, setState] = useState<{ status: 'working' | 'done' | 'failed'; message?: string }>({ status: 'working' });
  const started = useRef(false);

  useEffect(() => {
    // Strict mode runs effects twice; the token works once.
    if (started.current) return;
    started.current = true;
    if (!token) {
      setState({ status: 'failed', message: 'This link is incomplete; open the link from the email again.' });
      return;
    }
    authApi.verifyEmail(token).then(
      () => setState({ status: 'done' }),
      (error: unknown) => setState({ status: 'failed', message: describeError(error) }),
    );
  }, [token]);

  return (
    <div className="auth-page">
      <div className="auth-card">
        <Logo />
        <h1>Confirm your email</h1>
        {state.status === 'working' ? <Spinner label="Confirming" /> : null}
        {state.status === 'done' ? <p role="status">Your email address is confirmed.</p> : null}
        {state.status === 'failed' ? (
          <p className="form-error" role="alert">
            {state.message}
          </p>
        ) : null}
        <div className="auth-actions">
          <Link to="/">Go to Tube</Link>
          <Link to="/signin">Sign in</Link>
        </div>
      </div>
    </div>
  );
}
