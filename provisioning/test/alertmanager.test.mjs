// Alertmanager: configuration checked and routing asserted with the real amtool (Debian package
// `prometheus-alertmanager`), secrets read from files only, templates rendered on a sample notification.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  expectToolSuccess,
  provisioningDir,
  readCompose,
  readYaml,
  runTool,
  secretNames,
  serviceSecrets,
  withoutComments,
  withTempDir,
} from './helpers.mjs';

const amDir = path.join(provisioningDir, 'alertmanager');
const configFile = path.join(amDir, 'alertmanager.yml');
const config = readYaml(configFile);

/** The receivers amtool resolves for an alert with these labels, in routing-tree order. */
function routesFor(labels) {
  const args = Object.entries(labels).map(([name, value]) => `${name}=${value}`);
  const { status, stdout, output } = runTool('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${configFile}`,
    ...args,
  ]);
  assert.equal(status, 0, output);
  return stdout.trim().split(',');
}

describe('alertmanager.yml', () => {
  test('passes amtool check-config', () => {
    const output = expectToolSuccess('amtool', ['check-config', configFile]);
    assert.match(output, /SUCCESS/);
    assert.match(output, /- 4 receivers/);
    assert.match(output, /- 1 templates/);
  });

  test('fails amtool check-config with a misspelt field (the check is real)', () => {
    const broken = readFileSync(configFile, 'utf8').replace('routing_key_file:', 'routing_key_fil:');
    withTempDir((dir) => {
      writeFileSync(path.join(dir, 'alertmanager.yml'), broken);
      const { status, output } = runTool('amtool', ['check-config', path.join(dir, 'alertmanager.yml')]);
      assert.notEqual(status, 0);
      assert.match(output, /routing_key_fil/);
    });
  });

  const cases = [
    // [labels, receivers in order, why]
    [
      { alertname: 'BruteForceAttack', severity: 'critical' },
      ['cartae-secops', 'critical'],
      'critical: pager + Slack + email',
    ],
    [
      { alertname: 'HighRateLimitViolations', severity: 'warning' },
      ['cartae-secops', 'warning'],
      'warning: Slack only',
    ],
    [{ alertname: 'Watchdog', severity: 'info' }, ['cartae-secops', 'default'], 'other severities: default Slack'],
    [{ alertname: 'NoSeverity' }, ['cartae-secops', 'default'], 'no severity at all: default Slack'],
  ];
  for (const [labels, receivers, why] of cases) {
    test(`routes ${JSON.stringify(labels)} to ${receivers.join(' + ')} (${why})`, () => {
      assert.deepEqual(routesFor(labels), receivers);
      const args = Object.entries(labels).map(([name, value]) => `${name}=${value}`);
      expectToolSuccess('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${configFile}`,
        `--verify.receivers=${receivers.join(',')}`,
        ...args,
      ]);
    });
  }

  test('routes every alert rule’s severity to the webhook first, then to people', () => {
    const files = ['security', 'performance', 'infrastructure', 'secops'].map((name) =>
      path.join(provisioningDir, 'prometheus', 'rules', `${name}.yml`)
    );
    for (const rule of files.flatMap((file) => readYaml(file).groups.flatMap((group) => group.rules))) {
      const receivers = routesFor({ alertname: rule.alert, ...rule.labels });
      assert.equal(receivers[0], 'cartae-secops');
      assert.equal(receivers[1], rule.labels.severity, rule.alert);
    }
  });

  test('a wrong expectation is reported (amtool --verify.receivers exits non-zero)', () => {
    const { status } = runTool('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${configFile}`,
      '--verify.receivers=critical',
      'severity=critical',
    ]);
    assert.notEqual(status, 0);
  });

  test('sends every alert to the backend’s POST /api/soar/alertmanager with a bearer token file', () => {
    const first = config.route.routes[0];
    assert.equal(first.receiver, 'cartae-secops');
    assert.equal(first.matchers, undefined, 'the webhook route matches every alert');
    assert.equal(first.continue, true);
    const [webhook] = config.receivers.find((r) => r.name === 'cartae-secops').webhook_configs;
    assert.equal(webhook.url, 'http://backend:3010/api/soar/alertmanager');
    assert.equal(webhook.send_resolved, true);
    assert.deepEqual(webhook.http_config.authorization, {
      type: 'Bearer',
      credentials_file: '/run/secrets/ingest_token',
    });
  });

  test('critical alerts continue past their route (seed: PagerDuty + Slack + email with continue)', () => {
    const critical = config.route.routes.find((r) => r.receiver === 'critical');
    assert.equal(critical.continue, true);
    const receiver = config.receivers.find((r) => r.name === 'critical');
    assert.equal(receiver.pagerduty_configs.length, 1);
    assert.equal(receiver.slack_configs.length, 1);
    assert.equal(receiver.email_configs.length, 1);
  });

  test('reads every secret from a file that the compose service mounts', () => {
    const text = withoutComments(readFileSync(configFile, 'utf8'));
    // Inline secrets, or the retired PagerDuty v1 key: never.
    for (const key of [
      'api_url',
      'routing_key',
      'service_key',
      'auth_password',
      'auth_secret',
      'credentials',
      'password',
    ]) {
      assert.doesNotMatch(text, new RegExp(`^\\s*${key}:`, 'm'), `${key} inline`);
    }
    assert.doesNotMatch(text, /\$\{/, 'Alertmanager does not expand environment variables');
    const service = readCompose().services.alertmanager;
    assert.deepEqual(secretNames(text), serviceSecrets(service));
  });

  test('templates render a notification with summary, description and runbook', () => {
    const data = path.join(amDir, 'tests', 'firing-critical.json');
    const render = (name) =>
      expectToolSuccess('amtool', [
        'template',
        'render',
        `--template.glob=${path.join(amDir, 'templates', '*.tmpl')}`,
        `--template.data=${data}`,
        `--template.text={{ template "${name}" . }}`,
      ]);
    assert.equal(render('cartae.slack.title').trim(), '[FIRING:1] BruteForceAttack (critical)');
    const text = render('cartae.slack.text');
    assert.match(text, /\*Brute force attack on the secops API\*\n12 failed authentications per minute/);
    assert.match(text, /\(resolved\)\n11 failed authentications/);
    assert.match(text, /Runbook: docs\/runbooks\/BruteForceAttack\.md/);
    assert.equal(render('cartae.email.subject').trim(), '[FIRING] [CRITICAL] BruteForceAttack');
    assert.equal(
      render('cartae.pagerduty.description').trim(),
      'BruteForceAttack: Brute force attack on the secops API'
    );
    const email = render('cartae.email.text');
    assert.match(email, /^Firing:\n\[critical\] Brute force attack on the secops API: 12 failed/m);
    assert.match(email, /^Resolved:\n\[critical\] Brute force attack on the secops API: 11 failed/m);
  });
});
