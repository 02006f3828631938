// The shipped inhibit rules on the real Alertmanager (Debian package prometheus-alertmanager): alerts are posted
// as Prometheus posts them, and Alertmanager's API says which ones it holds back and because of which.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { provisioningDir, readYaml } from './helpers.mjs';
import { ALERTMANAGER, runAlertmanager, sendAlert } from './live-alertmanager.mjs';
import { installed, waitFor } from './live-stack.mjs';

const shipped = readYaml(path.join(provisioningDir, 'alertmanager', 'alertmanager.yml'));
const skip = installed(ALERTMANAGER) ? false : `${ALERTMANAGER} is not installed`;

describe('inhibit rules on the real Alertmanager', { skip }, () => {
  let dir;
  let alertmanager;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cartae-am-inhibit-'));
    const configFile = path.join(dir, 'alertmanager.yml');
    // The shipped inhibit rules, verbatim; one receiver that sends nothing (routing is amtool's test).
    const config = { route: { receiver: 'none' }, receivers: [{ name: 'none' }], inhibit_rules: shipped.inhibit_rules };
    writeFileSync(configFile, stringify(config));
    alertmanager = await runAlertmanager(dir, configFile);
  });

  after(async () => {
    await alertmanager?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** alertname (with its integration, if any) → the alertnames of what inhibits it. */
  async function inhibitions() {
    const alerts = await (await fetch(new URL('/api/v2/alerts', alertmanager.url))).json();
    const byId = new Map(alerts.map((a) => [a.fingerprint, a.labels.alertname]));
    return Object.fromEntries(
      alerts.map((a) => [
        [a.labels.alertname, a.labels.integration].filter(Boolean).join('/'),
        a.status.inhibitedBy.map((id) => byId.get(id)).sort(),
      ])
    );
  }

  test('BackendDown holds back the backend’s other alerts and webhook delivery failures, nothing else', async () => {
    const backend = { job: 'cartae-secops', instance: 'backend:3010' };
    const fromAlertmanager = { job: 'alertmanager', instance: 'alertmanager:9093' };
    const alerts = [
      { alertname: 'BackendDown', severity: 'critical', ...backend },
      { alertname: 'AuditVerifyOverdue', severity: 'warning', ...backend },
      { alertname: 'NotificationDeliveryFailing', severity: 'critical', integration: 'webhook', ...fromAlertmanager },
      { alertname: 'NotificationDeliveryFailing', severity: 'critical', integration: 'slack', ...fromAlertmanager },
      { alertname: 'HighCPUUsage', severity: 'warning', job: 'node', instance: 'node-exporter:9100' },
    ];
    for (const labels of alerts) await sendAlert(alertmanager.url, { labels, annotations: {} });
    await waitFor('the five alerts', async () => Object.keys(await inhibitions()).length === 5, 15_000);
    await waitFor('the inhibitions', async () => (await inhibitions()).AuditVerifyOverdue.length > 0, 15_000);
    assert.deepEqual(await inhibitions(), {
      BackendDown: [],
      AuditVerifyOverdue: ['BackendDown'],
      'NotificationDeliveryFailing/webhook': ['BackendDown'],
      'NotificationDeliveryFailing/slack': [],
      HighCPUUsage: [],
    });
  });
});
