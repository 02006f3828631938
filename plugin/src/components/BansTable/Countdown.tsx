import React, { useEffect, useState } from 'react';
import { dateTimeFormat } from '@grafana/data';
import { Tooltip } from '@grafana/ui';
import { timeLeft } from '../../utils/duration';

/** "in 1h 5m", ticking every second, with the end date on hover; "permanent" when there is none. */
export function Countdown({ until }: { until: string | null }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) {
      return undefined;
    }
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  if (until === null) {
    return <span>permanent</span>;
  }
  const left = timeLeft(until, now);
  return (
    <Tooltip content={dateTimeFormat(until, { format: 'YYYY-MM-DD HH:mm:ss' })}>
      <span>{left === 'expired' ? 'expired' : `in ${left}`}</span>
    </Tooltip>
  );
}
