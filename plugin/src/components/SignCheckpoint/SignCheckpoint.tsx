import React from 'react';
import { Button } from '@grafana/ui';
import { useSignCheckpoint } from '../../data/useSignCheckpoint';

/** Admin action: sign the current tree head now, instead of waiting for the backend's interval. */
export function SignCheckpoint() {
  const { mutate, isPending } = useSignCheckpoint();
  return (
    <Button variant="secondary" icon={isPending ? 'spinner' : 'lock'} disabled={isPending} onClick={() => mutate()}>
      Sign checkpoint
    </Button>
  );
}
