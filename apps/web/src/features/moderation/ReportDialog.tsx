import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { ReportReason, ReportTargetType } from '@tube/shared';
import { ApiError, describeError } from '../../api/errors.ts';
import { useToast } from '../../components/toasts.tsx';
import { Dialog, Field } from '../../components/ui.tsx';
import { REPORT_DETAILS_MAX_LENGTH as DETAILS_MAX_LENGTH } from '../../lib/community-rules.ts';
import { moderationApi } from './api.ts';
import './moderation.css';

const REASONS: ReadonlyArray<{ value: ReportReason; label: string }> = [
  { value: 'spam', label: 'Spam or misleading' },
  { value: 'abuse', label: 'Hateful, abusive or harassing' },
  { value: 'copyright', label: 'Infringes my rights (copyright)' },
  { value: 'other', label: 'Something else' },
];

/** Sends a video or comment to the moderators, with a reason and optional details. */
export function ReportDialog({ target, onClose }: { target: { type: ReportTargetType; id: string } | null; onClose(): void }) {
  return (
    <Dialog open={target !== null} title={target?.type === 'comment' ? 'Report comment' : 'Report video'} onClose={onClose}>
      {target ? <ReportForm key={target.id} target={target} onDone={onClose} /> : null}
    </Dialog>
  );
}

function ReportForm({ target, onDone }: { target: { type: ReportTargetType; id: string }; onDone(): void }) {
  const toast = useToast();
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [details, setDetails] = useState('');
  const [showError, setShowError] = useState(false);
  const send = useMutation({
    mutationFn: (chosen: ReportReason) =>
      moderationApi.report({ targetType: target.type, targetId: target.id, reason: chosen, ...(details.trim() ? { details: details.trim() } : {}) }),
    onSuccess: () => {
      toast.show('Thanks for reporting. A moderator will look at it.');
      onDone();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        toast.show('You have already reported this. A moderator will look at it.');
        onDone();
      }
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowError(true);
    if (reason) send.mutate(reason);
  };
  return (
    <form onSubmit={submit} noValidate data-testid="report-form">
      {send.isError && !(send.error instanceof ApiError && send.error.status === 409) ? <p className="form-error">{describeError(send.error)}</p> : null}
      <fieldset className="radio-group">
        <legend>What's the problem?</legend>
        {REASONS.map((option) => (
          <label key={option.value} className="checkbox">
            <input type="radio" name="reason" value={option.value} checked={reason === option.value} onChange={() => setReason(option.value)} />
            {option.label}
          </label>
        ))}
        {showError && !reason ? <span className="field-error">Choose a reason.</span> : null}
      </fieldset>
      <Field label="Details (optional)" counter={`${details.length}/${DETAILS_MAX_LENGTH}`}>
        {(control) => (
          <textarea {...control} name="details" maxLength={DETAILS_MAX_LENGTH} value={details} onChange={(event) => setDetails(event.target.value)} />
        )}
      </Field>
      <div className="form-actions">
        <button type="button" className="button button-text" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Report'}
        </button>
      </div>
    </form>
  );
}
