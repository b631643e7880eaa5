import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { Logo } from '../app/Layout.tsx';
import { PasswordField } from '../components/ui.tsx';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../lib/validation.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { authApi } from '../features/auth/api.ts';
import './auth.css';

export function ResetPasswordPage() {
  useDocumentTitle('Choose a new password');
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(token ? null : 'This link is incomplete; open the link from the email again.');
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
      setError(`Use ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`);
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await authApi.resetPassword(token, password);
      setDone(true);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} noValidate>
        <Logo />
        <h1>Choose a new password</h1>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        {done ? (
          <p role="status">Your password has been changed and every device has been signed out. Sign in with the new password.</p>
        ) : (
          <PasswordField
            label="New password"
            hint={`At least ${PASSWORD_MIN_LENGTH} characters.`}
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={setPassword}
            required={false}
            autoFocus
          />
        )}
        <div className="auth-actions">
          <Link to={done ? '/signin' : '/forgot-password'}>{done ? 'Sign in' : 'Ask for a new link'}</Link>
          {done ? null : (
            <button type="submit" className="button button-primary" disabled={submitting || !token}>
              {submitting ? 'Saving…' : 'Save password'}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
