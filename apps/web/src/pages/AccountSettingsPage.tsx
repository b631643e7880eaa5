import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccountStatus, TwoFactorSetup } from '@tube/shared';
import { Link, useNavigate } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { useAuth, useAuthClient } from '../api/auth-context.tsx';
import { useToast } from '../components/toasts.tsx';
import { ErrorMessage, Field, OneTimeCodeField, PageLoading, PasswordField } from '../components/ui.tsx';
import { formatDate } from '../lib/format.ts';
import { PASSWORD_MIN_LENGTH } from '../lib/validation.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { authApi, authKeys, authQueries } from '../features/auth/api.ts';
import './account-settings.css';

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `settings-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section className="settings-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A settings form: submitting runs `onSubmit` instead of reloading the page (without one, only its buttons act). */
function SettingsForm({ onSubmit, children }: { onSubmit?: () => void; children: ReactNode }) {
  return (
    <form
      className="settings-form"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSubmit?.();
      }}
    >
      {children}
    </form>
  );
}

function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** Saves a Blob as a download. */
function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AccountSettingsPage() {
  useDocumentTitle('Settings');
  const account = useQuery(authQueries.account());
  const options = useQuery(authQueries.authOptions());
  if (account.isPending) return <PageLoading />;
  if (account.isError) return <ErrorMessage message={describeError(account.error)} onRetry={() => void account.refetch()} />;
  const status = account.data;
  return (
    <div className="page page-narrow settings-page">
      <h1>Settings</h1>
      {status.deletionScheduledAt ? <DeletionBanner at={status.deletionScheduledAt} /> : null}
      <EmailSection status={status} />
      <PasswordSection status={status} />
      {options.data?.usernameChanges ? <UsernameSection /> : null}
      <TwoFactorSection status={status} />
      <NotificationsSection status={status} />
      <Section title="Sessions">
        <p>
          <Link to="/settings/sessions">See and sign out the devices where you are signed in</Link>
        </p>
      </Section>
      <ExportSection />
      {status.deletionScheduledAt ? null : <DeleteSection status={status} graceDays={options.data?.deletionGraceDays ?? 0} />}
    </div>
  );
}

function useAccountUpdate() {
  const queryClient = useQueryClient();
  return (status?: AccountStatus) =>
    status ? queryClient.setQueryData(authKeys.account, status) : queryClient.invalidateQueries({ queryKey: authKeys.account });
}

function DeletionBanner({ at }: { at: string }) {
  const update = useAccountUpdate();
  const toast = useToast();
  const cancel = useMutation({
    mutationFn: authApi.cancelAccountDeletion,
    onSuccess: (status) => {
      update(status);
      toast.show('Your account will be kept');
    },
    onError: (error) => toast.show(describeError(error)),
  });
  return (
    <div className="error-message" role="alert">
      <span>Your account will be deleted on {formatDate(at)}.</span>
      <button type="button" className="button button-text" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
        Keep my account
      </button>
    </div>
  );
}

function EmailSection({ status }: { status: AccountStatus }) {
  const update = useAccountUpdate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: () => authApi.changeEmail(email.trim(), password),
    onSuccess: (result) => {
      setMessage(result.message);
      setError(null);
      setEmail('');
      setPassword('');
      void update();
    },
    onError: (caught) => setError(describeError(caught)),
  });
  const resend = useMutation({
    mutationFn: () => authApi.resendVerification(status.email ?? ''),
    onSuccess: (result) => setMessage(result.message),
    onError: (caught) => setError(describeError(caught)),
  });
  return (
    <Section title="Email">
      <p>
        {status.email ?? 'No email address'}{' '}
        {status.email ? (
          <span className={`chip ${status.emailVerified ? 'chip-ready' : 'chip-failed'}`}>{status.emailVerified ? 'Confirmed' : 'Not confirmed'}</span>
        ) : null}
      </p>
      {status.email && !status.emailVerified ? (
        <button type="button" className="button button-text" onClick={() => resend.mutate()} disabled={resend.isPending}>
          Send a new confirmation link
        </button>
      ) : null}
      {status.pendingEmail ? <p className="muted">Waiting for you to open the link sent to {status.pendingEmail}.</p> : null}
      {message ? <p role="status">{message}</p> : null}
      <FormError error={error} />
      <SettingsForm onSubmit={() => change.mutate()}>
        <Field label="New email">
          {(control) => <input {...control} type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} required />}
        </Field>
        {status.hasPassword ? <PasswordField label="Password (to confirm the change)" value={password} onChange={setPassword} /> : null}
        <button type="submit" className="button button-outline" disabled={change.isPending}>
          Change email
        </button>
      </SettingsForm>
    </Section>
  );
}

function PasswordSection({ status }: { status: AccountStatus }) {
  const toast = useToast();
  const update = useAccountUpdate();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: () => authApi.changePassword(current, next),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setError(null);
      void update();
      toast.show('Password changed; your other devices have been signed out');
    },
    onError: (caught) => setError(describeError(caught)),
  });
  return (
    <Section title="Password">
      <FormError error={error} />
      <SettingsForm
        onSubmit={() => {
          if (next.length < PASSWORD_MIN_LENGTH) {
            setError(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
            return;
          }
          change.mutate();
        }}
      >
        {status.hasPassword ? (
          <PasswordField label="Current password" value={current} onChange={setCurrent} />
        ) : (
          <p className="muted">You sign in through an identity provider; you can also set a password.</p>
        )}
        <PasswordField
          label="New password"
          hint={`At least ${PASSWORD_MIN_LENGTH} characters. Your other devices will be signed out.`}
          autoComplete="new-password"
          value={next}
          onChange={setNext}
        />
        <button type="submit" className="button button-outline" disabled={change.isPending}>
          Change password
        </button>
      </SettingsForm>
    </Section>
  );
}

function UsernameSection() {
  const { user } = useAuth();
  const authClient = useAuthClient();
  const toast = useToast();
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: () => authApi.changeUsername(username.trim()),
    onSuccess: async () => {
      setError(null);
      setUsername('');
      await authClient.reloadUser();
      toast.show('Username changed');
    },
    onError: (caught) => setError(describeError(caught)),
  });
  return (
    <Section title="Username">
      <p>
        You sign in as <strong>{user?.username}</strong>. Your channel handle does not change.
      </p>
      <FormError error={error} />
      <SettingsForm onSubmit={() => change.mutate()}>
        <Field label="New username" hint="3–32 letters, digits, _ . or -.">
          {(control) => (
            <input
              {...control}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              required
            />
          )}
        </Field>
        <button type="submit" className="button button-outline" disabled={change.isPending}>
          Change username
        </button>
      </SettingsForm>
    </Section>
  );
}

function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <div className="recovery-codes">
      <p>
        <strong>Save these recovery codes now.</strong> Each works once, when you cannot use your authenticator. They are not shown again.
      </p>
      <ul data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

function TwoFactorSection({ status }: { status: AccountStatus }) {
  const update = useAccountUpdate();
  const toast = useToast();
  const [setup, setSetup] = useState<TwoFactorSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const onError = (caught: unknown) => setError(describeError(caught));
  const begin = useMutation({
    mutationFn: authApi.beginTwoFactor,
    onSuccess: (result) => {
      setSetup(result);
      setError(null);
    },
    onError,
  });
  const enable = useMutation({
    mutationFn: () => authApi.enableTwoFactor(code.trim()),
    onSuccess: (result) => {
      setCodes(result.codes);
      setSetup(null);
      setCode('');
      setError(null);
      void update();
    },
    onError,
  });
  const disable = useMutation({
    mutationFn: () => authApi.disableTwoFactor(code.trim()),
    onSuccess: () => {
      setCode('');
      setCodes(null);
      setError(null);
      void update();
      toast.show('Two-factor authentication is off');
    },
    onError,
  });
  const regenerate = useMutation({
    mutationFn: () => authApi.regenerateRecoveryCodes(code.trim()),
    onSuccess: (result) => {
      setCodes(result.codes);
      setCode('');
      void update();
    },
    onError,
  });

  const codeField = (label: string) => <OneTimeCodeField label={label} value={code} onChange={setCode} />;

  return (
    <Section title="Two-factor authentication">
      <FormError error={error} />
      {codes ? <RecoveryCodeList codes={codes} /> : null}
      {status.twoFactorEnabled ? (
        <>
          <p>
            <span className="chip chip-ready">On</span> Signing in asks for a code from your authenticator app. Recovery codes left: {status.recoveryCodesLeft}.
          </p>
          <SettingsForm>
            {codeField('Current code (or a recovery code)')}
            <div className="settings-actions">
              <button type="button" className="button button-outline" onClick={() => regenerate.mutate()} disabled={regenerate.isPending}>
                New recovery codes
              </button>
              <button type="button" className="button button-outline" onClick={() => disable.mutate()} disabled={disable.isPending}>
                Turn off two-factor
              </button>
            </div>
          </SettingsForm>
        </>
      ) : setup ? (
        <SettingsForm onSubmit={() => enable.mutate()}>
          <p>Scan this code with an authenticator app (or type the key), then enter the 6-digit code it shows.</p>
          <img
            className="qr-code"
            alt="QR code for your authenticator app"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrCodeSvg)}`}
            width={200}
            height={200}
          />
          <p>
            Key: <code data-testid="totp-secret">{setup.secret}</code>
          </p>
          {codeField('Code from the app')}
          <button type="submit" className="button button-primary" disabled={enable.isPending}>
            Turn on
          </button>
        </SettingsForm>
      ) : (
        <>
          <p className="muted">Protect your account with a code from an authenticator app each time you sign in.</p>
          <button type="button" className="button button-outline" onClick={() => begin.mutate()} disabled={begin.isPending}>
            Set up two-factor authentication
          </button>
        </>
      )}
    </Section>
  );
}

function NotificationsSection({ status }: { status: AccountStatus }) {
  const update = useAccountUpdate();
  const toast = useToast();
  const save = useMutation({
    mutationFn: authApi.setNotificationPreferences,
    onSuccess: (result) => update(result),
    onError: (caught) => toast.show(describeError(caught)),
  });
  const prefs = status.notifications;
  return (
    <Section title="Email notifications">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={prefs.emailOnNewVideos}
          disabled={save.isPending}
          onChange={(event) => save.mutate({ emailOnNewVideos: event.target.checked })}
        />
        New videos from channels I subscribe to
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={prefs.emailOnComments}
          disabled={save.isPending}
          onChange={(event) => save.mutate({ emailOnComments: event.target.checked })}
        />
        Comments on my videos
      </label>
      {status.email && !status.emailVerified ? <p className="muted">Emails go out once your address is confirmed.</p> : null}
    </Section>
  );
}

function ExportSection() {
  const toast = useToast();
  const [originals, setOriginals] = useState<{ id: string; title: string; url: string; filename: string }[] | null>(null);
  const exportData = useMutation({
    mutationFn: authApi.exportAccount,
    onSuccess: (data) => {
      saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), `tube-export-${data.account.username}.json`);
      setOriginals(
        data.videos.flatMap((video) =>
          video.originalUrl ? [{ id: video.id, title: video.title, url: video.originalUrl, filename: video.originalFilename ?? `${video.id}` }] : [],
        ),
      );
    },
    onError: (caught) => toast.show(describeError(caught)),
  });
  const download = useMutation({
    mutationFn: async (original: { url: string; filename: string }) => saveBlob(await authApi.downloadOriginal(original.url), original.filename),
    onError: (caught) => toast.show(describeError(caught)),
  });
  return (
    <Section title="Your data">
      <p className="muted">Everything Tube keeps about you as a JSON file: account, channels, videos, comments, playlists, subscriptions and history.</p>
      <button type="button" className="button button-outline" onClick={() => exportData.mutate()} disabled={exportData.isPending}>
        Download my data
      </button>
      {originals && originals.length > 0 ? (
        <ul className="settings-list">
          {originals.map((original) => (
            <li key={original.id}>
              {original.title}{' '}
              <button type="button" className="button button-text" onClick={() => download.mutate(original)}>
                Download original
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}

function DeleteSection({ status, graceDays }: { status: AccountStatus; graceDays: number }) {
  const authClient = useAuthClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: () => authApi.deleteAccount(password, code.trim()),
    onSuccess: async (result) => {
      await authClient.signOut();
      toast.show(
        graceDays > 0
          ? `Your account will be deleted on ${formatDate(result.deletionScheduledAt)}; sign in before then to keep it`
          : 'Your account is being deleted',
      );
      await navigate('/', { replace: true });
    },
    onError: (caught) => setError(describeError(caught)),
  });
  return (
    <Section title="Delete account">
      <p>
        This removes your channels, videos (with their files), comments, playlists and history
        {graceDays > 0 ? ` after ${graceDays} day${graceDays === 1 ? '' : 's'}; signing in before then lets you keep the account.` : '. It cannot be undone.'}
      </p>
      <FormError error={error} />
      <SettingsForm
        onSubmit={() => {
          if (!confirmed) {
            setError('Tick the box to confirm.');
            return;
          }
          remove.mutate();
        }}
      >
        {status.hasPassword ? <PasswordField label="Password" value={password} onChange={setPassword} /> : null}
        {status.twoFactorEnabled ? <OneTimeCodeField label="Two-factor code" value={code} onChange={setCode} /> : null}
        <label className="checkbox">
          <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />I understand that my videos and channels will be
          deleted
        </label>
        <button type="submit" className="button button-danger" disabled={remove.isPending}>
          Delete my account
        </button>
      </SettingsForm>
    </Section>
  );
}
