import { useState } from 'react';
import { validateIpOrCidr } from './ip';

export interface AddressFormOptions {
  initialIp?: string;
  /** Fail2ban bans single addresses: blocks are refused in the browser. */
  isBlockAllowed?: boolean;
}

/**
 * The address and reason of an admin action form, checked in the browser; errors show once the form was submitted,
 * and nothing is sent while there is one. `clear` after success.
 */
export function useAddressForm({ initialIp = '', isBlockAllowed = true }: AddressFormOptions = {}) {
  const [ip, setIp] = useState(initialIp);
  const [reason, setReason] = useState('');
  const [isSubmitted, setIsSubmitted] = useState(false);

  const target = ip.trim();
  let ipError: string | undefined;
  if (target === '') {
    ipError = isBlockAllowed ? 'Enter an IP address or CIDR block' : 'Enter an IP address';
  } else if (!isBlockAllowed && target.includes('/')) {
    ipError = 'Fail2ban bans single addresses, not blocks';
  } else {
    ipError = validateIpOrCidr(target);
  }
  const reasonError = reason.trim() === '' ? 'Say why: it is recorded in the audit trail' : undefined;

  return {
    ip,
    reason,
    setIp,
    setReason,
    /** Shown next to the fields once the form was submitted. */
    errors: isSubmitted ? { ip: ipError, reason: reasonError } : {},
    /** The trimmed values when both are valid; marks the form submitted either way. */
    submit: (): { ip: string; reason: string } | undefined => {
      setIsSubmitted(true);
      return ipError || reasonError ? undefined : { ip: target, reason: reason.trim() };
    },
    clear: () => {
      setIp('');
      setReason('');
      setIsSubmitted(false);
    },
  };
}
