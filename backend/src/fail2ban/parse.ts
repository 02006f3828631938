import { normalizeIp } from '../net/ip';
import { Fail2banCommandError } from './errors';

/** One jail's counters and lists, as `fail2ban-client status <jail>` prints them. */
export interface JailStatus {
  jail: string;
  currentlyFailed: number;
  totalFailed: number;
  /** Log files the jail reads; absent for a journal jail (backend = systemd), which has `journalMatches`. */
  fileList?: string[];
  journalMatches?: string;
  currentlyBanned: number;
  totalBanned: number;
  /** Banned addresses, normalized like every address of the API; an entry that is no address (a CIDR block
   * banned by hand) is kept as Fail2ban prints it. */
  bannedIps: string[];
}

/**
 * One `key:<TAB>value` line of the tree fail2ban-client prints (client/beautifier.py), whatever its depth:
 * `|- Number of jail:\t2`, `|  |- Currently failed:\t0`, `   `- Banned IP list:\t192.0.2.1 2001:db8::1`.
 * Fail2ban 0.x put two TABs after `Jail list:`, 1.0 one; 1.1 nests jails under `|- Jail: <name>` in
 * `status --all`. Section titles (`|- Filter`) have no colon and are skipped.
 */
const TREE_ENTRY = /^[\s|`]*[|`]- ([^:\t]+):[ \t]*(.*)$/;

interface TreeEntry {
  key: string;
  value: string;
}

function treeEntries(output: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const line of output.split('\n')) {
    const match = TREE_ENTRY.exec(line.trimEnd());
    if (match) entries.push({ key: (match[1] as string).trim().toLowerCase(), value: (match[2] as string).trim() });
  }
  return entries;
}

const words = (value: string): string[] => value.split(/\s+/).filter((word) => word !== '');

function safeNormalizeIp(value: string): string | null {
  try {
    return normalizeIp(value);
  } catch {
    return null; // e.g. an IPv6 zone id that URL parsing rejects
  }
}

function count(entries: Map<string, string>, key: string, output: string): number {
  const value = entries.get(key);
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new Fail2banCommandError(`unexpected fail2ban-client status output: no "${key}" count`, output);
  }
  return Number(value);
}

/** Jail names from `fail2ban-client status`. */
export function parseJailList(output: string): string[] {
  const entry = treeEntries(output).find((e) => e.key === 'jail list');
  if (entry === undefined) {
    throw new Fail2banCommandError('unexpected fail2ban-client status output: no jail list', output);
  }
  return entry.value.split(/[,\s]+/).filter((name) => name !== '');
}

function jailStatusFrom(jail: string, entries: TreeEntry[], output: string): JailStatus {
  const byKey = new Map(entries.map((e) => [e.key, e.value]));
  const files = byKey.get('file list');
  const journal = byKey.get('journal matches');
  return {
    jail,
    currentlyFailed: count(byKey, 'currently failed', output),
    totalFailed: count(byKey, 'total failed', output),
    ...(files !== undefined && { fileList: words(files) }),
    ...(journal !== undefined && { journalMatches: journal }),
    currentlyBanned: count(byKey, 'currently banned', output),
    totalBanned: count(byKey, 'total banned', output),
    bannedIps: words(byKey.get('banned ip list') ?? '').map((ip) => safeNormalizeIp(ip) ?? ip),
  };
}

/** `fail2ban-client status <jail>`. */
export function parseJailStatus(jail: string, output: string): JailStatus {
  return jailStatusFrom(jail, treeEntries(output), output);
}

/** `fail2ban-client status --all` (Fail2ban 1.1 and later): every jail's block after its `Jail: <name>` line. */
export function parseAllJailsStatus(output: string): JailStatus[] {
  const jails: JailStatus[] = [];
  let current: { name: string; entries: TreeEntry[] } | undefined;
  const flush = () => {
    if (current) jails.push(jailStatusFrom(current.name, current.entries, output));
  };
  for (const entry of treeEntries(output)) {
    if (entry.key === 'jail') {
      flush();
      current = { name: entry.value, entries: [] };
    } else if (current) {
      current.entries.push(entry);
    }
  }
  flush();
  return jails;
}

/** The number `set <jail> banip|unbanip` prints: how many addresses changed state. */
export function parseChangedCount(output: string): number {
  const text = output.trim();
  if (!/^\d+$/.test(text)) throw new Fail2banCommandError('unexpected fail2ban-client output: not a count', output);
  return Number(text);
}
