import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, Input, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { EMPTY_FILTERS, hasFilters, type FilterKey, type FilterValues } from '../../utils/auditFilter';

interface Props {
  values: FilterValues;
  errors: Partial<Record<FilterKey, string>>;
  onChange: (values: FilterValues) => void;
}

type TextKey = Exclude<FilterKey, 'status'>;

const TEXT_FIELDS: Array<{ key: TextKey; label: string; placeholder: string; width: number }> = [
  { key: 'q', label: 'Search', placeholder: '"invalid password" -admin', width: 32 },
  { key: 'user', label: 'User', placeholder: 'username or user id', width: 20 },
  { key: 'action', label: 'Action', placeholder: 'login', width: 18 },
  { key: 'ip', label: 'IP or CIDR', placeholder: '192.0.2.0/24', width: 20 },
  { key: 'from', label: 'From', placeholder: 'now-24h or 2024-05-01T00:00:00Z', width: 26 },
  { key: 'to', label: 'To', placeholder: 'now', width: 26 },
];

const STATUS_OPTIONS = [
  { label: 'All', value: '' },
  { label: 'Success', value: 'success' },
  { label: 'Failure', value: 'failure' },
];

/** The audit log filters; text fields apply on Enter or when they lose focus, the status at once. */
export function AuditFilters({ values, errors, onChange }: Props) {
  const styles = useStyles2(getStyles);
  const [draft, setDraft] = useState<FilterValues>(values);
  // New values from the URL (back button, "Clear filters") replace what was being typed.
  const [shown, setShown] = useState(values);
  if (shown !== values) {
    setShown(values);
    setDraft(values);
  }

  const commit = (next: FilterValues) => {
    if (isChanged(next, values)) {
      onChange(next);
    }
  };

  return (
    <form
      className={styles.form}
      aria-label="Audit log filters"
      onSubmit={(event) => {
        event.preventDefault();
        commit(draft);
      }}
    >
      {TEXT_FIELDS.map(({ key, label, placeholder, width }) => (
        <Field key={key} label={label} invalid={Boolean(errors[key])} error={errors[key]} className={styles.field}>
          <Input
            id={`audit-filter-${key}`}
            width={width}
            value={draft[key]}
            placeholder={placeholder}
            onChange={(event) => setDraft({ ...draft, [key]: event.currentTarget.value })}
            onBlur={() => commit(draft)}
          />
        </Field>
      ))}
      <Field label="Status" className={styles.field}>
        <RadioButtonGroup
          options={STATUS_OPTIONS}
          value={values.status}
          onChange={(status) => commit({ ...draft, status: status ?? '' })}
        />
      </Field>
      {/* Enter in a text field submits the form; the button is there for pointer users. */}
      <div className={styles.actions}>
        <Button type="submit" variant="secondary" icon="filter">
          Apply
        </Button>
        <Button
          variant="secondary"
          fill="text"
          icon="times"
          disabled={!hasFilters(values) && !hasFilters(draft)}
          onClick={() => commit(EMPTY_FILTERS)}
        >
          Clear filters
        </Button>
      </div>
    </form>
  );
}

function isChanged(a: FilterValues, b: FilterValues): boolean {
  return (Object.keys(a) as FilterKey[]).some((key) => a[key].trim() !== b[key]);
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: theme.spacing(0, 2) }),
  field: css({ marginBottom: theme.spacing(1) }),
  actions: css({ display: 'flex', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
});
