/** Reads the auto-blocker rules from a soar-config.yml, through the configuration loader's own checks. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../config';
import { parseAutoBlockerConfig, type AutoBlockerConfig } from './config';

export interface LoadedAutoBlockerConfig {
  config: AutoBlockerConfig;
  /** The file read, or null when none was given and none exists at the default path (built-in rules). */
  file: string | null;
}

/**
 * `file` (or, when undefined, SOAR_CONFIG, then the default path) is first checked by `loadConfig` as the server
 * would check it (YAML syntax, unknown keys, the other sections); its `autoBlocker` section is then validated here.
 * Throws ConfigError naming the file and key.
 */
export function loadAutoBlockerConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd()
): LoadedAutoBlockerConfig {
  const soarConfig = file ?? env.SOAR_CONFIG;
  const loaded = loadConfig(soarConfig === undefined ? {} : { SOAR_CONFIG: soarConfig }, { cwd });
  if (loaded.configFile === null) return { config: parseAutoBlockerConfig(undefined), file: null };
  const content = (parseYaml(readFileSync(loaded.configFile, 'utf8')) ?? {}) as Record<string, unknown>;
  const where = `${path.basename(loaded.configFile)}: autoBlocker`;
  return { config: parseAutoBlockerConfig(content.autoBlocker, where), file: loaded.configFile };
}
