/** A configuration problem that must stop start-up. `key` names the environment variable or file key at fault. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    detail: string
  ) {
    super(`invalid configuration: ${key} ${detail}`);
    this.name = 'ConfigError';
  }
}
