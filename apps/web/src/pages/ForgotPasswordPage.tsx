import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { Logo } from '../app/Layout.tsx';
import { Field } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { authApi } from '../features/auth/api.ts';
import './auth.css';

export function ForgotPasswordPage() {
  useDocumentTitle('Forgot password');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) {
      setError('Enter the email address of your account.');
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      setSent((await authApi.requestPasswordReset(email.trim())).message);
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
        <h1>Reset your password</h1>
        {sent ? (
          <p role="status">{sent}</p>
        ) : (
          <>
            <p className="muted">We will email you a link to choose a new password.</p>
            {error ? (
              <p className="form-error" role="alert">
                {error}
              </p>
            ) : null}
            <Field label="Email">
              {(control) => (
                <input {...control} name="email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} autoFocus />
              )}
            </Field>
          </>
        )}
        <div className="auth-actions">
          <Link to="/signin">Back to sign in</Link>
          {sent ? null : (
            <button type="submit" className="button button-primary" disabled={submitting}>
              {submitting ? 'Sending…' : 'Send link'}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
