// Prometheus: the configuration, the alert rules and their unit tests, run through the real promtool
// (Debian package `prometheus`). Every alert must have a case that fires and one that must not, and the unit
// tests must be able to fail: mutated copies of the rules are run against them.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import {
  alertRules,
  expectToolSuccess,
  provisioningDir,
  readYaml,
  runTool,
  withTempDir,
  yamlFiles,
} from './helpers.mjs';
import { promqlErrors, selectedMetrics } from './promql.mjs';

const prometheusDir = path.join(provisioningDir, 'prometheus');
const ruleFiles = yamlFiles(path.join(prometheusDir, 'rules'));
const testFiles = yamlFiles(path.join(prometheusDir, 'tests'));
const alerts = alertRules();

/**
 * Series the alerts may read: what the secops backend exports (its contract with these rules; the report of
 * issue 6 lists them) and what the stack's exporters produce. The seeds' invented series
 * (ssl_certificate_expiry_seconds, owasp_top10_compliance_score…) are not here.
 */
const BACKEND_METRICS = [
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'http_requests_rate_limited_total',
  'http_auth_failed_total',
  'audit_log_integrity_check_result',
  'audit_log_last_verify_timestamp_seconds',
  'audit_log_write_failures_total',
  'security_events_total',
  'fail2ban_up',
  'process_start_time_seconds',
];
const EXPORTER_METRICS = [
  'up', // Prometheus itself
  'container_cpu_usage_seconds_total', // cAdvisor
  'container_memory_working_set_bytes',
  'container_spec_memory_limit_bytes',
  'node_filesystem_avail_bytes', // node-exporter
  'node_filesystem_size_bytes',
  'probe_ssl_earliest_cert_expiry', // blackbox-exporter
  'alertmanager_notifications_total', // Alertmanager: it sends every notification, the backend none
  'alertmanager_notifications_failed_total',
];

/** prometheus.yml in a temporary folder, with the compose secret it reads replaced by a local file. */
function withLocalConfig(fn) {
  return withTempDir((dir) => {
    for (const entry of ['rules', 'targets'])
      cpSync(path.join(prometheusDir, entry), path.join(dir, entry), { recursive: true });
    mkdirSync(path.join(dir, 'secrets'));
    writeFileSync(path.join(dir, 'secrets', 'metrics_token'), 'test-token\n');
    const config = readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8');
    assert.match(config, /\/run\/secrets\/metrics_token/);
    writeFileSync(path.join(dir, 'prometheus.yml'), config.replaceAll('/run/secrets/', `${dir}/secrets/`));
    return fn(dir);
  });
}

/** Runs the unit tests against a copy of the rules whose every alert expression is replaced. */
function testRulesWithExpr(expr) {
  return withTempDir((dir) => {
    mkdirSync(path.join(dir, 'rules'));
    mkdirSync(path.join(dir, 'tests'));
    for (const file of ruleFiles) {
      const doc = readYaml(file);
      for (const group of doc.groups) for (const rule of group.rules) if (rule.alert) rule.expr = expr;
      writeFileSync(path.join(dir, 'rules', path.basename(file)), stringify(doc));
    }
    for (const file of testFiles) cpSync(file, path.join(dir, 'tests', path.basename(file)));
    return runTool('promtool', ['test', 'rules', ...testFiles.map((file) => path.join('tests', path.basename(file)))], {
      cwd: dir,
    });
  });
}

describe('prometheus.yml', () => {
  test('passes promtool check config, rule files included', () => {
    withLocalConfig((dir) => {
      const output = expectToolSuccess(
        'promtool',
        ['check', 'config', '--lint=all', '--lint-fatal', 'prometheus.yml'],
        {
          cwd: dir,
        }
      );
      assert.match(output, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
    });
  });

  test('fails promtool check config when the metrics token file is missing (the check is real)', () => {
    const { status, output } = runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: prometheusDir });
    assert.notEqual(status, 0);
    assert.match(output, /metrics_token/);
  });

  test('scrapes the backend on /metrics with a bearer token from a file, and sends alerts to Alertmanager and scrapes it', () => {
    const config = readYaml(path.join(prometheusDir, 'prometheus.yml'));
    const backend = config.scrape_configs.find((job) => job.job_name === 'cartae-secops');
    assert.ok(backend, 'job cartae-secops (the rules select on it)');
    assert.deepEqual(backend.static_configs, [{ targets: ['backend:3010'] }]);
    assert.equal(backend.metrics_path, '/metrics');
    assert.deepEqual(backend.authorization, { type: 'Bearer', credentials_file: '/run/secrets/metrics_token' });
    assert.deepEqual(config.alerting.alertmanagers[0].static_configs[0].targets, ['alertmanager:9093']);
    // NotificationDeliveryFailing reads Alertmanager's own counters: the Alertmanager alerts are sent to is scraped.
    const alertmanager = config.scrape_configs.find((job) => job.job_name === 'alertmanager');
    assert.ok(alertmanager, 'job alertmanager');
    assert.deepEqual(alertmanager.static_configs, config.alerting.alertmanagers[0].static_configs);
    const jobs = config.scrape_configs.map((job) => job.job_name);
    for (const job of [
      'prometheus',
      'node-exporter',
      'cadvisor',
      'postgres-exporter',
      'redis-exporter',
      'blackbox-tls',
    ]) {
      assert.ok(jobs.includes(job), `scrape job ${job}`);
    }
    const tls = config.scrape_configs.find((job) => job.job_name === 'blackbox-tls');
    assert.equal(tls.metrics_path, '/probe');
    assert.deepEqual(tls.params.module, ['tls_connect']);
  });
});

describe('alert rules', () => {
  test('pass promtool check rules with every lint fatal', () => {
    const output = expectToolSuccess('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles]);
    assert.match(output, /SUCCESS/);
  });

  test('include the seeds’ alerts and the product’s own, each once', () => {
    const names = alerts.map((rule) => rule.alert);
    assert.equal(new Set(names).size, names.length, `duplicate alert names: ${names}`);
    const expected = [
      ...[
        'BruteForceAttack',
        'HighRateLimitViolations',
        'UnauthorizedAdminAccess',
        'HighErrorRate',
        'SlowResponseTime',
      ],
      ...['HighCPUUsage', 'HighMemoryUsage', 'LowDiskSpace', 'CertificateExpiringSoon', 'HighFailedLogins'],
      ...['CriticalSecurityEvent', 'AuditIntegrityCheckFailed', 'AuditVerifyOverdue', 'Fail2banUnreachable'],
      ...['NotificationDeliveryFailing', 'BackendDown', 'AuditWriteFailures'],
    ];
    assert.deepEqual([...names].sort(), [...expected].sort());
  });

  for (const rule of alerts) {
    test(`${rule.alert}: severity, category, summary, description and its runbook`, () => {
      assert.ok(['critical', 'warning'].includes(rule.labels?.severity), 'severity critical or warning (routing)');
      assert.ok(rule.labels?.category, 'category label');
      assert.deepEqual(Object.keys(rule.annotations).sort(), ['description', 'runbook_url', 'summary']);
      assert.equal(rule.annotations.runbook_url, `docs/runbooks/${rule.alert}.md`);
      assert.deepEqual(promqlErrors(rule.expr), []);
    });

    test(`${rule.alert}: reads only series the backend or the stack's exporters produce`, () => {
      const unknown = selectedMetrics(rule.expr).filter(
        (name) => !BACKEND_METRICS.includes(name) && !EXPORTER_METRICS.includes(name)
      );
      assert.deepEqual(unknown, []);
    });
  }
});

describe('alert rule unit tests', () => {
  test('pass promtool test rules', () => {
    const output = expectToolSuccess(
      'promtool',
      ['test', 'rules', ...testFiles.map((file) => path.relative(prometheusDir, file))],
      {
        cwd: prometheusDir,
      }
    );
    assert.equal(output.match(/SUCCESS/g)?.length, testFiles.length);
  });

  test('cover every alert with a case that fires (labels and annotations asserted) and one that must not', () => {
    const cases = testFiles.flatMap((file) =>
      parse(readFileSync(file, 'utf8')).tests.flatMap((t) => t.alert_rule_test ?? [])
    );
    for (const { alert } of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      const firing = own.filter((c) => (c.exp_alerts ?? []).length > 0);
      assert.ok(firing.length > 0, `${alert}: no case where it fires`);
      for (const c of firing) {
        for (const expected of c.exp_alerts) {
          assert.ok(expected.exp_labels?.severity, `${alert}: a firing case does not assert its labels`);
          assert.deepEqual(Object.keys(expected.exp_annotations ?? {}).sort(), [
            'description',
            'runbook_url',
            'summary',
          ]);
        }
      }
      assert.ok(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert}: no case where it must stay silent`
      );
    }
  });

  test('fail for every alert when no alert can fire (each firing case is asserted)', () => {
    const { status, output } = testRulesWithExpr('vector(0) > 1');
    assert.notEqual(status, 0);
    for (const { alert } of alerts) assert.match(output, new RegExp(`alertname: ${alert},`), `${alert} still passes`);
  });

  test('fail for every alert when every alert always fires (each silent case is asserted)', () => {
    const { status, output } = testRulesWithExpr('vector(1)');
    assert.notEqual(status, 0);
    for (const { alert } of alerts) assert.match(output, new RegExp(`alertname: ${alert},`), `${alert} still passes`);
  });
});
