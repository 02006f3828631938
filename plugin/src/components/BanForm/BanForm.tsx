import React, { useState } from 'react';
import { Field, RadioButtonGroup } from '@grafana/ui';
import { useBanAddress } from '../../data/useBans';
import { BAN_DURATIONS } from '../../utils/duration';
import { useAddressForm } from '../../utils/useAddressForm';
import { AddressReasonForm, useAddressReasonFieldClass } from '../AddressReasonForm/AddressReasonForm';

interface Props {
  /** Prefilled address (a dashboard link's `?ip=`). */
  initialIp?: string;
}

/** Admin: ban an address or CIDR block, checked in the browser before it is sent. */
export function BanForm({ initialIp = '' }: Props) {
  const fieldClass = useAddressReasonFieldClass();
  const form = useAddressForm({ initialIp });
  const [duration, setDuration] = useState(BAN_DURATIONS[1].value);
  const { mutate, isPending, error, reset } = useBanAddress();

  return (
    <AddressReasonForm
      name="Ban an address"
      idPrefix="ban-form"
      form={form}
      placeholders={{ ip: '203.0.113.7 or 198.51.100.0/24', reason: 'e.g. credential stuffing against /login' }}
      submit={{ text: 'Ban', variant: 'destructive', icon: 'ban' }}
      isPending={isPending}
      onSubmit={(values) => {
        const length = duration === 'permanent' ? { permanent: true } : { duration: Number(duration) };
        mutate({ ...values, ...length }, { onSuccess: form.clear });
      }}
      onIpChange={reset}
      error={error}
      errorTitle="The ban was refused"
    >
      <Field label="Duration" className={fieldClass}>
        <RadioButtonGroup options={BAN_DURATIONS} value={duration} onChange={setDuration} />
      </Field>
    </AddressReasonForm>
  );
}
