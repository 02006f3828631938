import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from './roles';

export type Tokens = Record<Role, string>;

export interface GeneratedToken {
  role: Role;
  file: string;
  /** true when the file was written during this start, false when an earlier start wrote it. */
  created: boolean;
}

const ENV_NAMES: Record<Role, string> = {
  viewer: 'SECOPS_VIEWER_TOKEN',
  admin: 'SECOPS_ADMIN_TOKEN',
  ingest: 'SECOPS_INGEST_TOKEN',
};

export function tokenEnvName(role: Role): string {
  return ENV_NAMES[role];
}

export function tokenFile(dataDir: string, role: Role): string {
  return path.join(dataDir, 'secrets', `${role}.token`);
}

/**
 * Tokens from the environment where configured; otherwise read from, or generated into,
 * `<dataDir>/secrets/<role>.token` (mode 0600, 256 random bits as hex).
 */
export function resolveTokens(
  configured: Partial<Record<Role, string>>,
  dataDir: string
): { tokens: Tokens; stored: GeneratedToken[] } {
  const stored: GeneratedToken[] = [];
  const tokens = {} as Tokens;
  for (const role of ROLES) {
    const value = configured[role];
    if (value !== undefined) {
      tokens[role] = value;
      continue;
    }
    const file = tokenFile(dataDir, role);
    if (existsSync(file)) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
      tokens[role] = readFileSync(file, 'utf8').trim();
      stored.push({ role, file, created: false });
    } else {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      tokens[role] = randomBytes(32).toString('hex');
      writeFileSync(file, `${tokens[role]}\n`, { mode: 0o600, flag: 'wx' });
      stored.push({ role, file, created: true });
    }
  }
  return { tokens, stored };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Finds the role of a presented token in constant time: every configured token is compared, on
 * fixed-length digests, whatever matches first, so timing reveals neither the token nor the role.
 */
export class TokenMatcher {
  private readonly entries: { role: Role; digest: Buffer }[];

  constructor(tokens: Tokens) {
    this.entries = ROLES.map((role) => ({ role, digest: digest(tokens[role]) }));
  }

  match(presented: string): Role | undefined {
    const candidate = digest(presented);
    let found: Role | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, candidate) && found === undefined) found = entry.role;
    }
    return found;
  }
}

/** Compares one secret in constant time (used for the optional metrics token). */
export function secretEquals(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}
