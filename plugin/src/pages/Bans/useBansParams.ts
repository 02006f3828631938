import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { validateIpOrCidr } from '../../utils/ip';

export const BAN_TABS = ['active', 'history', 'whitelist', 'fail2ban'] as const;
export type BanTab = (typeof BAN_TABS)[number];

const isBanTab = (value: string | null): value is BanTab => BAN_TABS.some((tab) => tab === value);

/**
 * The Bans page state kept in the URL, so dashboards can link to it: `?ip=` narrows the lists to an address or
 * block and prefills the forms, `?jail=` opens the Fail2ban tab on that jail, `?tab=` the tab shown.
 */
export function useBansParams() {
  const [params, setParams] = useSearchParams();
  const ip = params.get('ip')?.trim() ?? '';
  const jail = params.get('jail')?.trim() || undefined;
  const requested = params.get('tab');
  const tab: BanTab = isBanTab(requested) ? requested : jail ? 'fail2ban' : 'active';
  const ipError = useMemo(() => validateIpOrCidr(ip), [ip]);

  const update = useCallback(
    (changes: Record<string, string | undefined>) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value) {
            next.set(key, value);
          } else {
            next.delete(key);
          }
        }
        return next;
      }),
    [setParams]
  );
  const setIp = useCallback((value: string) => update({ ip: value.trim() }), [update]);
  const setTab = useCallback((value: BanTab) => update({ tab: value }), [update]);
  const clearJail = useCallback(() => update({ jail: undefined, tab: 'fail2ban' }), [update]);

  return { ip, ipError, jail, tab, setIp, setTab, clearJail };
}
