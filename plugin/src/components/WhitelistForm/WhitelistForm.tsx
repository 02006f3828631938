import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { useAddWhitelistEntry } from '../../data/useWhitelist';
import { WHITELIST_EXPIRIES } from '../../utils/duration';
import { useAddressForm } from '../../utils/useAddressForm';

/** Admin: whitelist an address or block, for good or until an expiry; bans in force inside it are lifted. */
export function WhitelistForm({ initialIp = '' }: { initialIp?: string }) {
  const styles = useStyles2(getStyles);
  const form = useAddressForm({ initialIp });
  const [expiry, setExpiry] = useState(WHITELIST_EXPIRIES[0].value);
  const { mutate, isPending, error, data, reset } = useAddWhitelistEntry();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const values = form.submit();
    if (values) {
      const ttl = expiry === 'never' ? {} : { ttlSeconds: Number(expiry) };
      mutate({ ...values, ...ttl }, { onSuccess: form.clear });
    }
  };

  return (
    <form className={styles.form} aria-label="Whitelist an address" onSubmit={onSubmit} noValidate>
      <Field label="IP or CIDR" invalid={Boolean(form.errors.ip)} error={form.errors.ip} className={styles.field}>
        <Input
          id="whitelist-form-ip"
          width={24}
          value={form.ip}
          placeholder="192.0.2.10 or 10.0.0.0/8"
          onChange={(event) => {
            form.setIp(event.currentTarget.value);
            reset();
          }}
        />
      </Field>
      <Field label="Expires after" className={styles.field}>
        <RadioButtonGroup options={WHITELIST_EXPIRIES} value={expiry} onChange={setExpiry} />
      </Field>
      <Field label="Reason" invalid={Boolean(form.errors.reason)} error={form.errors.reason} className={styles.grow}>
        <Input
          id="whitelist-form-reason"
          value={form.reason}
          maxLength={1024}
          placeholder="e.g. uptime monitor"
          onChange={(event) => form.setReason(event.currentTarget.value)}
        />
      </Field>
      <div className={styles.actions}>
        <Button type="submit" variant="primary" icon={isPending ? 'spinner' : 'shield'} disabled={isPending}>
          Whitelist
        </Button>
      </div>
      {error && (
        <Alert className={styles.message} severity="error" title="The whitelist entry was refused">
          {error.message}
        </Alert>
      )}
      {data && data.liftedBans > 0 && (
        <Alert className={styles.message} severity="info" title={`${data.liftedBans} ban(s) in force were lifted`}>
          {data.entry.ip} is whitelisted, so the bans inside it no longer apply.
        </Alert>
      )}
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0, 2), alignItems: 'flex-start' }),
  field: css({ marginBottom: theme.spacing(1) }),
  grow: css({ flex: '1 1 240px', marginBottom: theme.spacing(1) }),
  actions: css({ paddingTop: theme.spacing(2.5) }),
  message: css({ flexBasis: '100%' }),
});
