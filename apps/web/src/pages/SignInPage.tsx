import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { useAuth, useAuthClient } from '../auth/auth-context.tsx';
import { Logo } from '../components/Layout.tsx';
import { Field } from '../components/ui.tsx';
import { safeRedirectPath } from '../lib/validation.ts';
import { useDocumentTitle } from './use-document-title.ts';

export function SignInPage() {
  useDocumentTitle('Sign in');
  const authClient = useAuthClient();
  const { status } = useAuth();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeRedirectPath(searchParams.get('next'));
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  if (status === 'signedIn' && !submitting) return <Navigate to={next} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!login.trim() || !password) {
      setError('Enter your username or email and your password.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await authClient.signIn(login.trim(), password);
      navigate(next, { replace: true });
    } catch (caught) {
      setError(describeError(caught));
      setSubmitting(false);
    }
  };

  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} noValidate>
        <Logo />
        <h1>Sign in</h1>
        <p className="muted">to continue to Tube</p>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <Field label="Username or email">
          {(control) => (
            <input {...control} name="login" autoComplete="username" value={login} onChange={(event) => setLogin(event.target.value)} required autoFocus />
          )}
        </Field>
        <Field label="Password">
          {(control) => (
            <input
              {...control}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              required
            />
          )}
        </Field>
        <div className="auth-actions">
          <Link to={`/register${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create account</Link>
          <button type="submit" className="button button-primary" disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </div>
  );
}
