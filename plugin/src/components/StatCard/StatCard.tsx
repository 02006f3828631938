import React, { type ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { TextLink, useStyles2 } from '@grafana/ui';

export type StatTone = 'neutral' | 'success' | 'warning' | 'error';

interface Props {
  title: string;
  value: ReactNode;
  detail?: ReactNode;
  tone?: StatTone;
  link?: { href: string; label: string };
}

/** One headline number of a page, with a line of context and where to go from it. */
export function StatCard({ title, value, detail, tone = 'neutral', link }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.card} aria-label={title}>
      <div className={styles.title}>{title}</div>
      <div className={`${styles.value} ${styles[tone]}`} data-testid="stat-value">
        {value}
      </div>
      {detail && <div className={styles.detail}>{detail}</div>}
      {link && (
        <div className={styles.link}>
          <TextLink href={link.href} inline={false}>
            {link.label}
          </TextLink>
        </div>
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(2),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    minWidth: 0,
  }),
  title: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ fontSize: theme.typography.h2.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  detail: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  link: css({ marginTop: 'auto', paddingTop: theme.spacing(1), fontSize: theme.typography.bodySmall.fontSize }),
  neutral: css({ color: theme.colors.text.primary }),
  success: css({ color: theme.colors.success.text }),
  warning: css({ color: theme.colors.warning.text }),
  error: css({ color: theme.colors.error.text }),
});
