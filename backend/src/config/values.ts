/**
 * Checks of values read from a YAML configuration file, each failing with a ConfigError that names the key
 * (`soar-config.yml: autoBlocker.rules[2].threshold must be …`). Shared by the sections that are read by hand
 * rather than through a TypeBox schema (the auto-blocker rules, file ingestion).
 */
import { ConfigError } from './errors';

export type Obj = Record<string, unknown>;

export function fail(key: string, detail: string, value?: unknown): never {
  throw new ConfigError(key, value === undefined ? detail : `${detail} (got ${JSON.stringify(value)})`);
}

/** A mapping holding only `known` keys. */
export function mapping(value: unknown, key: string, known: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(key, 'must be a mapping', value);
  for (const name of Object.keys(value)) if (!known.includes(name)) fail(`${key}.${name}`, 'is not a known key');
  return value as Obj;
}

/** An integer in [min, max]; `fallback` when absent. */
export function integer(value: unknown, key: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    fail(key, `must be an integer from ${min} to ${max}`, value);
  }
  return value as number;
}
