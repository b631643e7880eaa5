import { type InputHTMLAttributes, useEffect, useId, useRef, type ReactNode } from 'react';
import type { VideoStatus } from '@tube/shared';
import { formatPercent } from '../lib/format.ts';
import { Icon, type IconName } from './Icon.tsx';
// The primitives build on the tokens and the base. The bundler puts this module in a chunk shared by the entry and the
// lazy pages, whose stylesheet is linked before the entry's, so importing them here keeps them first in the cascade.
import '../styles/tokens.css';
import '../styles/base.css';
import './ui.css';

const AVATAR_HUES = [4, 28, 45, 90, 160, 190, 210, 260, 290, 330];

function hueFor(name: string): number {
  let hash = 0;
  for (const character of name) hash = (hash * 31 + (character.codePointAt(0) ?? 0)) >>> 0;
  return AVATAR_HUES[hash % AVATAR_HUES.length] ?? 210;
}

/** A coloured circle with the first letter of the name; the colour is stable per name. */
export function Avatar({ name, size = 32 }: { name: string; size?: number }) {
  const initial = name.trim().charAt(0).toUpperCase() || '?';
  return (
    <span className="avatar" aria-hidden="true" style={{ width: size, height: size, fontSize: size * 0.45, backgroundColor: `hsl(${hueFor(name)} 55% 42%)` }}>
      {initial}
    </span>
  );
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span className="spinner" role="status">
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

export function PageLoading() {
  return (
    <div className="page-loading">
      <Spinner />
    </div>
  );
}

export function EmptyState({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <Icon name={icon} size={64} />
      <h2>{title}</h2>
      {children}
    </div>
  );
}

export function ErrorMessage({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error-message" role="alert">
      <Icon name="error" />
      <span>{message}</span>
      {onRetry ? (
        <button type="button" className="button button-text" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const clamped = Math.min(1, Math.max(0, value));
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(clamped * 100)}>
      <div className="progress-fill" style={{ width: `${clamped * 100}%` }} />
    </div>
  );
}

const STATUS_LABELS: Record<VideoStatus, string> = {
  awaiting_upload: 'Awaiting upload',
  queued: 'Queued',
  processing: 'Processing',
  playable: 'Playable now',
  ready: 'Ready',
  failed: 'Failed',
};

export function StatusChip({ status, progress }: { status: VideoStatus; progress: number | null }) {
  return (
    <span className={`chip chip-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
      {(status === 'processing' || status === 'playable') && progress ? ` ${status === 'playable' ? '· HD ' : ''}${formatPercent(progress)}` : ''}
    </span>
  );
}

/**
 * A modal built on <dialog>: the browser traps focus, closes on Escape and restores focus to
 * whatever opened it.
 */
export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="dialog-title"
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> element itself.
        if (event.target === dialogRef.current) onClose();
      }}
    >
      {open ? (
        <div className="dialog-body">
          <div className="dialog-header">
            <h2 id="dialog-title">{title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
              <Icon name="close" />
            </button>
          </div>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}

/**
 * A labelled form control. The hint, error and counter sit outside the <label> so they are not
 * read as part of the control's name; they are linked with aria-describedby instead.
 */
export function Field({
  label,
  hint,
  error,
  counter,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  counter?: string;
  children: (control: { id: string; 'aria-describedby': string | undefined; 'aria-invalid': true | undefined }) => ReactNode;
}) {
  const id = useId();
  const messageId = `${id}-message`;
  const message = error ?? hint;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': message ? messageId : undefined, 'aria-invalid': error ? true : undefined })}
      {message ? (
        <span id={messageId} className={error ? 'field-error' : 'field-hint'}>
          {message}
        </span>
      ) : null}
      {counter ? <span className="field-counter">{counter}</span> : null}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  name?: string;
  required?: boolean;
  autoFocus?: boolean;
}

/** A one-line input in a Field whose value is a string; `input` gives the kind of box. */
function InputField({
  label,
  value,
  onChange,
  hint,
  name,
  required = true,
  autoFocus = false,
  input,
}: TextFieldProps & { input: InputHTMLAttributes<HTMLInputElement> }) {
  return (
    <Field label={label} hint={hint}>
      {(control) => (
        <input {...control} {...input} name={name} value={value} onChange={(event) => onChange(event.target.value)} required={required} autoFocus={autoFocus} />
      )}
    </Field>
  );
}

/** A password box: the current password unless it sets a new one. */
export function PasswordField({ autoComplete = 'current-password', ...props }: TextFieldProps & { autoComplete?: 'current-password' | 'new-password' }) {
  return <InputField {...props} input={{ type: 'password', autoComplete }} />;
}

/** A box for a one-time code from an authenticator app (or a recovery code). */
export function OneTimeCodeField(props: TextFieldProps) {
  return <InputField {...props} input={{ inputMode: 'numeric', autoComplete: 'one-time-code' }} />;
}

/** The Cancel / Save pair at the bottom of an edit form. */
export function SaveCancelActions({ onCancel, saving, saveLabel = 'Save' }: { onCancel: () => void; saving: boolean; saveLabel?: string }) {
  return (
    <div className="form-actions">
      <button type="button" className="button button-text" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="button button-primary" disabled={saving}>
        {saving ? 'Saving…' : saveLabel}
      </button>
    </div>
  );
}

/** The Cancel / Delete pair at the bottom of a delete confirmation. */
export function DeleteCancelActions({
  onCancel,
  onDelete,
  deleting,
  deleteLabel = 'Delete',
}: {
  onCancel: () => void;
  onDelete: () => void;
  deleting: boolean;
  deleteLabel?: string;
}) {
  return (
    <div className="form-actions">
      <button type="button" className="button button-text" onClick={onCancel}>
        Cancel
      </button>
      <button type="button" className="button button-danger" disabled={deleting} onClick={onDelete}>
        {deleting ? 'Deleting…' : deleteLabel}
      </button>
    </div>
  );
}
