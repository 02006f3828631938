import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { useBanAddress } from '../../data/useBans';
import { BAN_DURATIONS } from '../../utils/duration';
import { useAddressForm } from '../../utils/useAddressForm';

interface Props {
  /** Prefilled address (a dashboard link's `?ip=`). */
  initialIp?: string;
}

/** Admin: ban an address or CIDR block, checked in the browser before it is sent. */
export function BanForm({ initialIp = '' }: Props) {
  const styles = useStyles2(getStyles);
  const form = useAddressForm({ initialIp });
  const [duration, setDuration] = useState(BAN_DURATIONS[1].value);
  const { mutate, isPending, error, reset } = useBanAddress();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const values = form.submit();
    if (values) {
      const length = duration === 'permanent' ? { permanent: true } : { duration: Number(duration) };
      mutate({ ...values, ...length }, { onSuccess: form.clear });
    }
  };

  return (
    <form className={styles.form} aria-label="Ban an address" onSubmit={onSubmit} noValidate>
      <Field label="IP or CIDR" invalid={Boolean(form.errors.ip)} error={form.errors.ip} className={styles.field}>
        <Input
          id="ban-form-ip"
          width={24}
          value={form.ip}
          placeholder="203.0.113.7 or 198.51.100.0/24"
          onChange={(event) => {
            form.setIp(event.currentTarget.value);
            reset();
          }}
        />
      </Field>
      <Field label="Duration" className={styles.field}>
        <RadioButtonGroup options={BAN_DURATIONS} value={duration} onChange={setDuration} />
      </Field>
      <Field label="Reason" invalid={Boolean(form.errors.reason)} error={form.errors.reason} className={styles.grow}>
        <Input
          id="ban-form-reason"
          value={form.reason}
          maxLength={1024}
          placeholder="e.g. credential stuffing against /login"
          onChange={(event) => form.setReason(event.currentTarget.value)}
        />
      </Field>
      <div className={styles.actions}>
        <Button type="submit" variant="destructive" icon={isPending ? 'spinner' : 'ban'} disabled={isPending}>
          Ban
        </Button>
      </div>
      {error && (
        <Alert className={styles.error} severity="error" title="The ban was refused">
          {error.message}
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
  error: css({ flexBasis: '100%' }),
});
