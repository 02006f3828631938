import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { rangeUtil } from '@grafana/data';

/** The intervals offered, as Grafana's dashboards write them. */
export const REFRESH_INTERVALS = ['5s', '10s', '30s', '1m', '5m'];
export const DEFAULT_REFRESH = '5s';
/** What `?refresh=` holds while auto-refresh is paused (absent means the default, not paused). */
const PAUSED = 'off';

/**
 * The Overview's auto-refresh, kept in the URL like a dashboard's `refresh`: `value` for the RefreshPicker (''
 * when paused), `intervalMs` for react-query's refetchInterval (false when paused).
 */
export function useRefreshParam() {
  const [params, setParams] = useSearchParams();
  const raw = params.get('refresh');
  const value = raw === PAUSED ? '' : raw && REFRESH_INTERVALS.includes(raw) ? raw : DEFAULT_REFRESH;
  const intervalMs: number | false = value === '' ? false : rangeUtil.intervalToMs(value);

  const setValue = useCallback(
    (next: string) =>
      setParams(
        (current) => {
          const updated = new URLSearchParams(current);
          if (next === DEFAULT_REFRESH) {
            updated.delete('refresh');
          } else {
            updated.set('refresh', next === '' ? PAUSED : next);
          }
          return updated;
        },
        { replace: true }
      ),
    [setParams]
  );
  return { value, intervalMs, setValue };
}
