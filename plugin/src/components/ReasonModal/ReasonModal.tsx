import React, { useId, useState } from 'react';
import { Alert, ConfirmModal, Field, Input } from '@grafana/ui';

interface Props {
  title: string;
  /** What will happen, in a sentence. */
  description: React.ReactNode;
  confirmText: string;
  /** Runs the action; a rejection keeps the modal open with the backend's message. */
  onConfirm: (reason: string) => Promise<unknown>;
  onDismiss: () => void;
}

/** A confirmation that asks why: the reason is required and recorded in the audit trail with the action. */
export function ReasonModal({ title, description, confirmText, onConfirm, onDismiss }: Props) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [isPending, setIsPending] = useState(false);

  const confirm = async () => {
    // Enter in the field submits the modal's form even while its button is disabled.
    if (reason.trim() === '' || isPending) {
      return;
    }
    setIsPending(true);
    setError(undefined);
    try {
      await onConfirm(reason.trim());
      onDismiss();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setIsPending(false);
    }
  };

  return (
    <ConfirmModal
      isOpen
      title={title}
      confirmText={isPending ? 'Working…' : confirmText}
      disabled={reason.trim() === '' || isPending}
      onConfirm={confirm}
      onDismiss={onDismiss}
      body={
        <div>
          <p>{description}</p>
          <Field label="Reason" description="Recorded in the audit trail with your name">
            <Input
              id={`${id}-reason`}
              value={reason}
              maxLength={1024}
              placeholder="e.g. false positive: office NAT address"
              onChange={(event) => setReason(event.currentTarget.value)}
            />
          </Field>
          {error && (
            <Alert severity="error" title="The backend refused the action">
              {error}
            </Alert>
          )}
        </div>
      }
    />
  );
}
