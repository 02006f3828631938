import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a string variable; empty strings count as unset. */
export function envString(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Reads a secret from `NAME`, or from the file named by `NAME_FILE` (Docker/Kubernetes secrets). */
export function envSecret(env: Env, name: string): string | undefined {
  const direct = envString(env, name);
  const file = envString(env, `${name}_FILE`);
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(name, `and ${name}_FILE are both set; set only one`);
  }
  if (file === undefined) return direct;
  let content: string;
  try {
    content = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`${name}_FILE`, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (content === '') throw new ConfigError(`${name}_FILE`, `points to an empty file`);
  return content;
}

export function envInt(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = envString(env, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${value})`);
  return value;
}

export function envBool(env: Env, name: string): boolean | undefined {
  const raw = envString(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

export function envEnum<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const raw = envString(env, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}
