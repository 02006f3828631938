import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AutoBlockerRule } from '../../src/soar/config';
import { loadAutoBlockerConfig } from '../../src/soar/config-file';
import { EventScanner } from '../../src/soar/event-scanner';
import { RuleIndex } from '../../src/soar/rules';
import { PROVISIONING_DIR } from './regex';

export const SOAR_CONFIG = path.resolve(PROVISIONING_DIR, '../soar/soar-config.yml');

/** The auto-blocker rules as shipped in provisioning/soar/soar-config.yml. */
export function shippedRules(): AutoBlockerRule[] {
  return loadAutoBlockerConfig(SOAR_CONFIG).config.rules;
}

/** The sections of an INI file as Fail2ban reads jail.local: `key = value`, indented continuation lines. */
export function readIni(file: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\s*(#|;|$)/.test(line)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1] as string, section);
    } else if (/^\s/.test(line) && section && key !== undefined) {
      section.set(key, `${section.get(key) ?? ''}\n${line.trim()}`);
    } else {
      const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
      if (!pair || !section) throw new Error(`${file}: cannot read line ${JSON.stringify(line)}`);
      key = pair[1] as string;
      section.set(key, pair[2] as string);
    }
  }
  return sections;
}

/** Fail2ban's time abbreviations as jail.local uses them (`10m`, `24h`, `7d`, `-1`), in seconds. */
export function seconds(value: string): number {
  const match = /^(-?\d+)([smhdw]?)$/.exec(value.trim());
  if (!match) throw new Error(`not a Fail2ban time: ${value}`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[match[2] as 's'];
  return Number(match[1]) * unit;
}

/** A line that the auto-blocker reads as an event and that a rule's `match` accepts, with its normalized address. */
export interface CountedLine {
  line: number;
  ip: string;
  timeMs: number;
}

/**
 * The lines (numbered from 1) of a JSON-lines log that `rule` counts: each line goes through the API's own event
 * validator, then the rule matcher the engine runs (RuleIndex by type, then the other match keys).
 */
export function countedBy(rules: readonly AutoBlockerRule[], ruleId: string, lines: readonly string[]): CountedLine[] {
  const index = new RuleIndex(rules);
  const rule = index.byId(ruleId);
  if (!rule) throw new Error(`no rule ${ruleId}`);
  const scanner = new EventScanner();
  const counted: CountedLine[] = [];
  lines.forEach((text, i) => {
    const bytes = Buffer.from(text, 'utf8');
    if (!scanner.scan(bytes, 0, bytes.length)) return;
    if (index.forType(scanner.event).includes(rule) && rule.matchesRest(scanner)) {
      counted.push({ line: i + 1, ip: scanner.ip, timeMs: scanner.timeMs });
    }
  });
  return counted;
}
