import React, { useState } from 'react';
import { Alert, Field, RadioButtonGroup } from '@grafana/ui';
import { useAddWhitelistEntry } from '../../data/useWhitelist';
import { WHITELIST_EXPIRIES } from '../../utils/duration';
import { useAddressForm } from '../../utils/useAddressForm';
import { AddressReasonForm, useAddressReasonFieldClass } from '../AddressReasonForm/AddressReasonForm';

/** Admin: whitelist an address or block, for good or until an expiry; bans in force inside it are lifted. */
export function WhitelistForm({ initialIp = '' }: { initialIp?: string }) {
  const fieldClass = useAddressReasonFieldClass();
  const form = useAddressForm({ initialIp });
  const [expiry, setExpiry] = useState(WHITELIST_EXPIRIES[0].value);
  const { mutate, isPending, error, data, reset } = useAddWhitelistEntry();

  return (
    <AddressReasonForm
      name="Whitelist an address"
      idPrefix="whitelist-form"
      form={form}
      placeholders={{ ip: '192.0.2.10 or 10.0.0.0/8', reason: 'e.g. uptime monitor' }}
      submit={{ text: 'Whitelist', variant: 'primary', icon: 'shield' }}
      isPending={isPending}
      onSubmit={(values) => {
        const ttl = expiry === 'never' ? {} : { ttlSeconds: Number(expiry) };
        mutate({ ...values, ...ttl }, { onSuccess: form.clear });
      }}
      onIpChange={reset}
      error={error}
      errorTitle="The whitelist entry was refused"
      footer={
        data &&
        data.liftedBans > 0 && (
          <Alert severity="info" title={`${data.liftedBans} ban(s) in force were lifted`}>
            {data.entry.ip} is whitelisted, so the bans inside it no longer apply.
          </Alert>
        )
      }
    >
      <Field label="Expires after" className={fieldClass}>
        <RadioButtonGroup options={WHITELIST_EXPIRIES} value={expiry} onChange={setExpiry} />
      </Field>
    </AddressReasonForm>
  );
}
