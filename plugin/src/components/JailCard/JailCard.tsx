import React, { useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Field, Input, Stack, Text, useStyles2 } from '@grafana/ui';
import type { JailStatus } from '../../api/types';
import { useJailBan, useJailUnban } from '../../data/useFail2ban';
import { useAddressForm } from '../../utils/useAddressForm';
import { ReasonModal } from '../ReasonModal/ReasonModal';

interface Props {
  jail: JailStatus;
  canAct: boolean;
  /** Opened from a link to this jail (`?jail=`): highlighted. */
  isFocused: boolean;
  initialIp?: string;
}

/** One Fail2ban jail: its counters, the addresses it bans (each with Unban), and a ban form for admins. */
export function JailCard({ jail, canAct, isFocused, initialIp }: Props) {
  const styles = useStyles2(getStyles);
  const [unbanIp, setUnbanIp] = useState<string>();
  const unban = useJailUnban();
  const counters = [
    ['Currently failed', jail.currentlyFailed],
    ['Total failed', jail.totalFailed],
    ['Currently banned', jail.currentlyBanned],
    ['Total banned', jail.totalBanned],
  ] as const;
  return (
    <section aria-label={`Jail ${jail.jail}`} className={cx(styles.card, isFocused && styles.focused)}>
      <Text element="h3" variant="h4">
        {jail.jail}
      </Text>
      <dl className={styles.counters}>
        {counters.map(([label, value]) => (
          <div key={label}>
            <dt className={styles.label}>{label}</dt>
            <dd className={styles.value}>{value}</dd>
          </div>
        ))}
      </dl>
      {jail.bannedIps.length === 0 ? (
        <Text color="secondary">No address is banned in this jail.</Text>
      ) : (
        <ul className={styles.ips} aria-label={`Banned in ${jail.jail}`}>
          {jail.bannedIps.map((ip) => (
            <li key={ip} className={styles.ip}>
              <span className={styles.mono}>{ip}</span>
              {canAct && (
                <Button
                  size="sm"
                  variant="secondary"
                  fill="text"
                  icon="unlock"
                  aria-label={`Unban ${ip} in ${jail.jail}`}
                  onClick={() => setUnbanIp(ip)}
                >
                  Unban
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canAct && <JailBanForm jail={jail.jail} initialIp={initialIp} />}
      {unbanIp && (
        <ReasonModal
          title={`Unban ${unbanIp} in ${jail.jail}`}
          description={`Fail2ban lifts the ban of ${unbanIp} in the jail ${jail.jail} now.`}
          confirmText="Unban"
          onConfirm={(reason) => unban.mutateAsync({ jail: jail.jail, ip: unbanIp, reason })}
          onDismiss={() => setUnbanIp(undefined)}
        />
      )}
    </section>
  );
}

/** Fail2ban bans single addresses (no blocks): checked here before `fail2ban-client set <jail> banip`. */
function JailBanForm({ jail, initialIp }: { jail: string; initialIp?: string }) {
  const styles = useStyles2(getStyles);
  const form = useAddressForm({ initialIp, isBlockAllowed: false });
  const { mutate, isPending, error, reset } = useJailBan();

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    const values = form.submit();
    if (values) {
      mutate({ jail, ...values }, { onSuccess: form.clear });
    }
  };

  return (
    <form aria-label={`Ban in ${jail}`} onSubmit={onSubmit} noValidate className={styles.form}>
      <Stack gap={1} alignItems="flex-start" wrap="wrap">
        <Field label="IP" invalid={Boolean(form.errors.ip)} error={form.errors.ip}>
          <Input
            id={`jail-${jail}-ip`}
            width={18}
            value={form.ip}
            placeholder="203.0.113.7"
            onChange={(event) => {
              form.setIp(event.currentTarget.value);
              reset();
            }}
          />
        </Field>
        <Field label="Reason" invalid={Boolean(form.errors.reason)} error={form.errors.reason}>
          <Input
            id={`jail-${jail}-reason`}
            width={20}
            value={form.reason}
            maxLength={1024}
            onChange={(event) => form.setReason(event.currentTarget.value)}
          />
        </Field>
        <div className={styles.actions}>
          <Button
            type="submit"
            variant="destructive"
            size="md"
            icon={isPending ? 'spinner' : 'ban'}
            disabled={isPending}
          >
            Ban in {jail}
          </Button>
        </div>
      </Stack>
      {error && (
        <Alert severity="error" title={`The ban in ${jail} was refused`}>
          {error.message}
        </Alert>
      )}
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
  }),
  focused: css({ borderColor: theme.colors.primary.border, boxShadow: theme.shadows.z2 }),
  counters: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(4, minmax(0, 1fr))',
    gap: theme.spacing(1),
    margin: theme.spacing(1, 0, 2),
  }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ fontSize: theme.typography.h3.fontSize, margin: 0 }),
  ips: css({ listStyle: 'none', padding: 0, margin: theme.spacing(0, 0, 2) }),
  ip: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  form: css({ marginTop: theme.spacing(1) }),
  actions: css({ paddingTop: theme.spacing(2.5) }),
});
