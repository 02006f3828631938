import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { useBanAddress } from '../../data/useBans';
import { BAN_DURATIONS } from '../../utils/duration';
import { validateIpOrCidr } from '../../utils/ip';

interface Props {
  /** Prefilled address (a dashboard link's `?ip=`). */
  initialIp?: string;
}

/** Admin: ban an address or CIDR block, checked in the browser before it is sent. */
export function BanForm({ initialIp = '' }: Props) {
  const styles = useStyles2(getStyles);
  const [ip, setIp] = useState(initialIp);
  const [duration, setDuration] = useState(BAN_DURATIONS[1].value);
  const [reason, setReason] = useState('');
  const [isSubmitted, setIsSubmitted] = useState(false);
  const { mutate, isPending, error, reset } = useBanAddress();

  const target = ip.trim();
  const ipError = target === '' ? 'Enter an IP address or CIDR block' : validateIpOrCidr(target);
  const reasonError = reason.trim() === '' ? 'Say why: it is recorded in the audit trail' : undefined;

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    setIsSubmitted(true);
    if (ipError || reasonError) {
      return;
    }
    const length = duration === 'permanent' ? { permanent: true } : { duration: Number(duration) };
    mutate(
      { ip: target, reason: reason.trim(), ...length },
      {
        onSuccess: () => {
          setIp('');
          setReason('');
          setIsSubmitted(false);
        },
      }
    );
  };

  return (
    <form className={styles.form} aria-label="Ban an address" onSubmit={onSubmit} noValidate>
      <Field
        label="IP or CIDR"
        invalid={isSubmitted && Boolean(ipError)}
        error={isSubmitted ? ipError : undefined}
        className={styles.field}
      >
        <Input
          id="ban-form-ip"
          width={24}
          value={ip}
          placeholder="203.0.113.7 or 198.51.100.0/24"
          onChange={(event) => {
            setIp(event.currentTarget.value);
            reset();
          }}
        />
      </Field>
      <Field label="Duration" className={styles.field}>
        <RadioButtonGroup options={BAN_DURATIONS} value={duration} onChange={setDuration} />
      </Field>
      <Field
        label="Reason"
        invalid={isSubmitted && Boolean(reasonError)}
        error={isSubmitted ? reasonError : undefined}
        className={styles.grow}
      >
        <Input
          id="ban-form-reason"
          value={reason}
          maxLength={1024}
          placeholder="e.g. credential stuffing against /login"
          onChange={(event) => setReason(event.currentTarget.value)}
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
