import React from 'react';
import { Badge, Stack, type BadgeColor } from '@grafana/ui';
import type { BanEnforcement } from '../../api/types';

const COLORS: Record<BanEnforcement['state'], BadgeColor> = {
  done: 'green',
  pending: 'orange',
  running: 'blue',
  failed: 'red',
  skipped: 'darkgrey',
  cancelled: 'darkgrey',
};

/** One badge per enforcement adapter (e.g. fail2ban): whether the ban is really applied, and why not. */
export function EnforcementBadges({ enforcement }: { enforcement: BanEnforcement[] }) {
  if (enforcement.length === 0) {
    return <span>recorded only</span>;
  }
  return (
    <Stack gap={0.5} wrap="wrap">
      {enforcement.map((e) => (
        <Badge
          key={`${e.adapter}-${e.action}`}
          color={COLORS[e.state]}
          text={`${e.adapter} ${e.action}: ${e.state}`}
          tooltip={describe(e)}
        />
      ))}
    </Stack>
  );
}

function describe(e: BanEnforcement): string {
  const attempts = `${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`;
  const next = e.nextAttemptAt ? `; next attempt at ${e.nextAttemptAt}` : '';
  return e.lastError ? `${attempts}; last error: ${e.lastError}${next}` : `${attempts}${next}`;
}
