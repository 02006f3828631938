import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, Input, Stack, useStyles2 } from '@grafana/ui';

interface Props {
  /** The address or block in the URL (`?ip=`). */
  value: string;
  error?: string;
  onChange: (value: string) => void;
}

/** Narrows the ban lists to an address or block; applied on Enter or when the field loses focus. */
export function AddressFilter({ value, error, onChange }: Props) {
  const styles = useStyles2(getStyles);
  const [draft, setDraft] = useState(value);
  // A new value from the URL (a link, "Show all addresses") replaces what was being typed.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const commit = () => {
    if (draft.trim() !== value) {
      onChange(draft);
    }
  };
  return (
    <form
      aria-label="Filter bans"
      onSubmit={(event) => {
        event.preventDefault();
        commit();
      }}
    >
      <Stack gap={1} alignItems="flex-start">
        <Field label="Filter by IP or CIDR" invalid={Boolean(error)} error={error}>
          <Input
            id="bans-filter-ip"
            width={28}
            value={draft}
            placeholder="all addresses"
            onChange={(event) => setDraft(event.currentTarget.value)}
            onBlur={commit}
          />
        </Field>
        {value && (
          <Button
            variant="secondary"
            fill="text"
            icon="times"
            aria-label="Clear the address filter"
            className={styles.clear}
            onClick={() => onChange('')}
          >
            Clear
          </Button>
        )}
      </Stack>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  // level with the input, below the field's label
  clear: css({ marginTop: theme.spacing(2.75) }),
});
