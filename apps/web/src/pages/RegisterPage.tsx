import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError, type ApiErrorCode, describeError } from '../api/errors.ts';
import { useAuth, useAuthClient } from '../api/auth-context.tsx';
import { Logo } from '../app/Layout.tsx';
import { Field } from '../components/ui.tsx';
import { PASSWORD_MIN_LENGTH, safeRedirectPath, validateRegistration, type FieldErrors, type RegistrationInput } from '../lib/validation.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import './auth.css';

type FieldName = keyof RegistrationInput;

/** Server error codes that belong to one field rather than the whole form. */
const FIELD_OF_ERROR_CODE: Partial<Record<ApiErrorCode, FieldName>> = { username_taken: 'username', email_taken: 'email' };

export function RegisterPage() {
  useDocumentTitle('Create account');
  const authClient = useAuthClient();
  const { status } = useAuth();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeRedirectPath(searchParams.get('next'));
  const [values, setValues] = useState<RegistrationInput>({ username: '', email: '', password: '' });
  const [touched, setTouched] = useState<Partial<Record<FieldName, boolean>>>({});
  const [serverFieldErrors, setServerFieldErrors] = useState<FieldErrors<FieldName>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [showPassword, setShowPassword] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [pendingEmail, setPendingEmail] = useState<string | null>(null);

  if (status === 'signedIn' && !submitting) return <Navigate to={next} replace />;
  if (pendingEmail) {
    return (
      <div className="auth-page">
        <div className="auth-card">
          <Logo />
          <h1>Check your email</h1>
          <p>
            We sent a link to <strong>{pendingEmail}</strong>. Open it to confirm your address, then sign in.
          </p>
          <div className="auth-actions">
            <Link to="/signin">Sign in</Link>
          </div>
        </div>
      </div>
    );
  }

  const clientErrors = validateRegistration(values);
  const errorFor = (field: FieldName) => (touched[field] ? clientErrors[field] : undefined) ?? serverFieldErrors[field];

  const update = (field: FieldName, value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    setServerFieldErrors((current) => ({ ...current, [field]: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched({ username: true, email: true, password: true });
    if (Object.keys(clientErrors).length > 0) return;
    setSubmitting(true);
    setFormError(null);
    try {
      const outcome = await authClient.register({ username: values.username.trim(), email: values.email.trim(), password: values.password });
      if (outcome.kind === 'verificationRequired') {
        setPendingEmail(outcome.email);
        setSubmitting(false);
        return;
      }
      await navigate(next, { replace: true });
    } catch (caught) {
      const field = caught instanceof ApiError ? FIELD_OF_ERROR_CODE[caught.code] : undefined;
      if (field) setServerFieldErrors({ [field]: describeError(caught) });
      else setFormError(describeError(caught));
      setSubmitting(false);
    }
  };

  const inputProps = (field: FieldName) => ({
    name: field,
    value: values[field],
    onChange: (event: { target: { value: string } }) => update(field, event.target.value),
    onBlur: () => setTouched((current) => ({ ...current, [field]: true })),
  });

  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit} noValidate>
        <Logo />
        <h1>Create your Tube account</h1>
        {formError ? (
          <p className="form-error" role="alert">
            {formError}
          </p>
        ) : null}
        <Field label="Username" hint="3–32 letters, digits, _ . or -. It also becomes your channel handle." error={errorFor('username')}>
          {(control) => <input {...control} {...inputProps('username')} autoComplete="username" autoCapitalize="none" spellCheck={false} autoFocus />}
        </Field>
        <Field label="Email" hint="Used to sign in; never shown publicly." error={errorFor('email')}>
          {(control) => <input {...control} {...inputProps('email')} type="email" autoComplete="email" />}
        </Field>
        <Field label="Password" hint={`At least ${PASSWORD_MIN_LENGTH} characters.`} error={errorFor('password')}>
          {(control) => <input {...control} {...inputProps('password')} type={showPassword ? 'text' : 'password'} autoComplete="new-password" />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={showPassword} onChange={(event) => setShowPassword(event.target.checked)} />
          Show password
        </label>
        <div className="auth-actions">
          <Link to={`/signin${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in instead</Link>
          <button type="submit" className="button button-primary" disabled={submitting}>
            {submitting ? 'Creating account…' : 'Create account'}
          </button>
        </div>
      </form>
    </div>
  );
}
