import React, { type ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, useStyles2, type IconName } from '@grafana/ui';
import type { useAddressForm } from '../../utils/useAddressForm';

interface Props {
  /** The form's accessible name, e.g. "Ban an address". */
  name: string;
  /** Prefix of the inputs' ids (`<idPrefix>-ip`, `<idPrefix>-reason`). */
  idPrefix: string;
  form: ReturnType<typeof useAddressForm>;
  placeholders: { ip: string; reason: string };
  submit: { text: string; variant: 'primary' | 'destructive'; icon: IconName };
  isPending: boolean;
  /** Called with the trimmed values once both are valid. */
  onSubmit: (values: { ip: string; reason: string }) => void;
  /** Called when the address changes (e.g. to clear the previous refusal). */
  onIpChange: () => void;
  /** The backend's refusal, shown under the form with `errorTitle`. */
  error: Error | null;
  errorTitle: string;
  /** Fields between the address and the reason (duration, expiry). */
  children?: ReactNode;
  /** Shown under the form (e.g. what the action changed). */
  footer?: ReactNode;
}

/** The shape the admin forms of the Bans page share: address or block, their own fields, a reason, one button. */
export function AddressReasonForm(props: Props) {
  const { form, idPrefix, placeholders, submit, isPending, error } = props;
  const styles = useStyles2(getStyles);

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const values = form.submit();
    if (values) {
      props.onSubmit(values);
    }
  };

  return (
    <form className={styles.form} aria-label={props.name} onSubmit={onSubmit} noValidate>
      <Field label="IP or CIDR" invalid={Boolean(form.errors.ip)} error={form.errors.ip} className={styles.field}>
        <Input
          id={`${idPrefix}-ip`}
          width={24}
          value={form.ip}
          placeholder={placeholders.ip}
          onChange={(event) => {
            form.setIp(event.currentTarget.value);
            props.onIpChange();
          }}
        />
      </Field>
      {props.children}
      <Field label="Reason" invalid={Boolean(form.errors.reason)} error={form.errors.reason} className={styles.grow}>
        <Input
          id={`${idPrefix}-reason`}
          value={form.reason}
          maxLength={1024}
          placeholder={placeholders.reason}
          onChange={(event) => form.setReason(event.currentTarget.value)}
        />
      </Field>
      <div className={styles.actions}>
        <Button type="submit" variant={submit.variant} icon={isPending ? 'spinner' : submit.icon} disabled={isPending}>
          {submit.text}
        </Button>
      </div>
      {error && (
        <Alert className={styles.message} severity="error" title={props.errorTitle}>
          {error.message}
        </Alert>
      )}
      {props.footer && <div className={styles.message}>{props.footer}</div>}
    </form>
  );
}

/** The class of a field placed between the address and the reason. */
export const useAddressReasonFieldClass = () => useStyles2(getStyles).field;

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0, 2), alignItems: 'flex-start' }),
  field: css({ marginBottom: theme.spacing(1) }),
  grow: css({ flex: '1 1 240px', marginBottom: theme.spacing(1) }),
  actions: css({ paddingTop: theme.spacing(2.5) }),
  message: css({ flexBasis: '100%' }),
});
