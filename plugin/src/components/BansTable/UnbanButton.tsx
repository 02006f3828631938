import React, { useState } from 'react';
import { Button } from '@grafana/ui';
import { useUnbanAddress } from '../../data/useBans';
import { ReasonModal } from '../ReasonModal/ReasonModal';

/** Admin: lift the ban in force of `ip`, after a confirmation that asks why. */
export function UnbanButton({ ip }: { ip: string }) {
  const [isOpen, setIsOpen] = useState(false);
  const { mutateAsync } = useUnbanAddress();
  return (
    <>
      <Button size="sm" variant="secondary" icon="unlock" aria-label={`Unban ${ip}`} onClick={() => setIsOpen(true)}>
        Unban
      </Button>
      {isOpen && (
        <ReasonModal
          title={`Unban ${ip}`}
          description={`The ban of ${ip} is lifted now, and every enforcement adapter is told to lift it.`}
          confirmText="Unban"
          onConfirm={(reason) => mutateAsync({ ip, reason })}
          onDismiss={() => setIsOpen(false)}
        />
      )}
    </>
  );
}
