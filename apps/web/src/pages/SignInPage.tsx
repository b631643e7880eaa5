import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth, useAuthClient } from '../api/auth-context.tsx';
import { Logo } from '../app/Layout.tsx';
import { Field, OneTimeCodeField, PasswordField } from '../components/ui.tsx';
import { safeRedirectPath } from '../lib/validation.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { authApi, authQueries } from '../features/auth/api.ts';
import './auth.css';

export function SignInPage() {
  useDocumentTitle('Sign in');
  const authClient = useAuthClient();
  const { status } = useAuth();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeRedirectPath(searchParams.get('next'));
  const options = useQuery(authQueries.authOptions());
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  // After an external sign-in with 2FA on, the callback page hands over the challenge in the navigation state.
  const handedOver = (useLocation().state as { challengeToken?: unknown } | null)?.challengeToken;
  const [challengeToken, setChallengeToken] = useState<string | null>(typeof handedOver === 'string' ? handedOver : null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(searchParams.get('error'));
  const [unverified, setUnverified] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
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
    setUnverified(false);
    try {
      const outcome = await authClient.signIn(login.trim(), password);
      if (outcome.kind === 'twoFactor') {
        setChallengeToken(outcome.challengeToken);
        setSubmitting(false);
        return;
      }
      await navigate(next, { replace: true });
    } catch (caught) {
      setError(describeError(caught));
      setUnverified(caught instanceof ApiError && caught.code === 'email_unverified');
      setSubmitting(false);
    }
  };

  const submitCode = async (event: FormEvent) => {
    event.preventDefault();
    if (!challengeToken) return;
    if (!code.trim()) {
      setError('Enter the code from your authenticator app, or a recovery code.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await authClient.completeTwoFactor(challengeToken, code.trim());
      await navigate(next, { replace: true });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'challenge_expired') setChallengeToken(null);
      setError(describeError(caught));
      setSubmitting(false);
    }
  };

  const resend = async () => {
    try {
      setNotice((await authApi.resendVerification(login.trim())).message);
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const errorBox = error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;

  if (challengeToken) {
    return (
      <div className="auth-page">
        <form className="auth-card" onSubmit={submitCode} noValidate>
          <Logo />
          <h1>Two-step verification</h1>
          <p className="muted">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
          {errorBox}
          <OneTimeCodeField label="Verification code" name="code" value={code} onChange={setCode} required={false} autoFocus />
          <div className="auth-actions">
            <button type="button" className="button button-text" onClick={() => setChallengeToken(null)}>
              Back
            </button>
            <button type="submit" className="button button-primary" disabled={submitting}>
              {submitting ? 'Checking…' : 'Verify'}
            </button>
          </div>
        </form>
      </div>
    );
  }

  const provider = options.data?.externalProvider ?? null;
  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} noValidate>
        <Logo />
        <h1>Sign in</h1>
        <p className="muted">to continue to Tube</p>
        {errorBox}
        {unverified && login.includes('@') ? (
          <button type="button" className="button button-text" onClick={() => void resend()}>
            Send me a new confirmation link
          </button>
        ) : null}
        {notice ? <p role="status">{notice}</p> : null}
        <Field label="Username or email">
          {(control) => (
            <input {...control} name="login" autoComplete="username" value={login} onChange={(event) => setLogin(event.target.value)} required autoFocus />
          )}
        </Field>
        <PasswordField label="Password" name="password" value={password} onChange={setPassword} />
        <p>
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
        <div className="auth-actions">
          <Link to={`/register${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create account</Link>
          <button type="submit" className="button button-primary" disabled={submitting}>
            {submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
        {provider ? (
          <div className="auth-external">
            <p className="muted">or</p>
            <a className="button button-outline" href={`${provider.startUrl}?returnTo=${encodeURIComponent(next)}`}>
              Sign in with {provider.name}
            </a>
          </div>
        ) : null}
      </form>
    </div>
  );
}
