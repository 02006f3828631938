// provisioning/blackbox/blackbox.yml, checked by the real blackbox-exporter (Debian package
// `prometheus-blackbox-exporter`), and the module Prometheus's TLS probes ask for.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { provisioningDir, readYaml, runTool, withTempDir } from './helpers.mjs';

const configFile = path.join(provisioningDir, 'blackbox', 'blackbox.yml');
const check = (file) => runTool('prometheus-blackbox-exporter', ['--config.check', `--config.file=${file}`]);

describe('blackbox.yml', () => {
  test('passes blackbox-exporter --config.check', () => {
    const { status, output } = check(configFile);
    assert.equal(status, 0, output);
    assert.match(output, /Config file is ok/);
  });

  test('a misspelt field is rejected (the check is real)', () => {
    withTempDir((dir) => {
      const broken = path.join(dir, 'blackbox.yml');
      writeFileSync(broken, JSON.stringify({ modules: { tls_connect: { prober: 'tcp', tcp: { tsl: true } } } }));
      assert.doesNotMatch(check(broken).output, /Config file is ok/);
    });
  });

  test('has the module of every Prometheus probe job, with a verified TLS handshake', () => {
    const modules = readYaml(configFile).modules;
    const prometheus = readYaml(path.join(provisioningDir, 'prometheus', 'prometheus.yml'));
    const probes = prometheus.scrape_configs.filter((job) => job.metrics_path === '/probe');
    assert.ok(probes.length > 0);
    for (const job of probes) for (const module of job.params.module) assert.ok(modules[module], module);
    assert.equal(modules.tls_connect.tcp.tls, true);
    assert.equal(modules.tls_connect.tcp.tls_config.insecure_skip_verify, false);
  });
});
