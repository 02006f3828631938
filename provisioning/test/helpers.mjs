// Shared by the provisioning checks: repository paths, YAML loading and running the real Prometheus tools.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const provisioningDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(provisioningDir, '..');

/** A path inside the repository, from its root. */
export function repoPath(...parts) {
  return path.join(repoRoot, ...parts);
}

export function readYaml(file) {
  return parse(readFileSync(file, 'utf8'));
}

/** The YAML files of a folder, sorted. */
export function yamlFiles(dir) {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

export function readCompose() {
  return readYaml(repoPath('docker-compose.yml'));
}

/** Every alerting rule of provisioning/prometheus/rules, with the file it is in. */
export function alertRules() {
  return yamlFiles(path.join(provisioningDir, 'prometheus', 'rules')).flatMap((file) =>
    readYaml(file).groups.flatMap((group) =>
      group.rules.filter((rule) => rule.alert !== undefined).map((rule) => ({ ...rule, file }))
    )
  );
}

/** The Debian package that ships each tool the checks run: CI installs them (.ci/run, APT_PACKAGES). */
const PACKAGES = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-blackbox-exporter': 'prometheus-blackbox-exporter',
};

/**
 * Runs one of the real tools and returns its exit status and output. A missing tool fails the test (never a
 * skip): these checks are the only thing standing between a typo and a monitoring stack that does not start.
 */
export function runTool(tool, args, options = {}) {
  const result = spawnSync(tool, args, { encoding: 'utf8', ...options });
  if (result.error?.code === 'ENOENT') {
    assert.fail(`${tool} is not installed: apt-get install ${PACKAGES[tool] ?? tool} (CI does, in .ci/run)`);
  }
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** Runs a tool and fails with its output unless it exits 0; returns its output (standard output and error). */
export function expectToolSuccess(tool, args, options = {}) {
  const { status, output } = runTool(tool, args, options);
  assert.equal(status, 0, `${tool} ${args.join(' ')} failed:\n${output}`);
  return output;
}

/** The lines of a YAML text without its comments (good enough for the checks' searches). */
export function withoutComments(text) {
  return text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
}

/** A temporary folder for the duration of `fn`. */
export function withTempDir(fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cartae-provisioning-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `/run/secrets/<name>` paths a configuration text refers to. */
export function secretNames(text) {
  return [...new Set([...text.matchAll(/\/run\/secrets\/([A-Za-z0-9_.-]+)/g)].map((match) => match[1]))].sort();
}

/** Names of a compose service's secrets (short or long syntax). */
export function serviceSecrets(service) {
  return (service.secrets ?? []).map((secret) => (typeof secret === 'string' ? secret : secret.source)).sort();
}
