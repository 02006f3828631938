// The real Alertmanager (Debian package prometheus-alertmanager) for the live check (live-prometheus.test.mjs), with
// two receivers of the stack's alertmanager.yml: the webhook into the backend of the run, which delivers, and the
// Slack receiver of warnings pointed at a loopback address nothing listens on, which fails as an unreachable Slack
// does. Loopback only, clustering off, a temporary data folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { provisioningDir, readYaml } from './helpers.mjs';
import { freePort, startServer } from './live-stack.mjs';

/** The Debian binary (upstream calls it `alertmanager`). */
export const ALERTMANAGER = 'prometheus-alertmanager';

const stackDir = path.join(provisioningDir, 'alertmanager');

/**
 * alertmanager.yml for this run: the stack's templates and its `cartae-secops` (webhook) and `warning` (Slack)
 * receivers, their URLs and secret files replaced; every alert to both, at once, and flushed every second where the
 * stack flushes every 1 to 5 minutes (a failed notification is sent again at the next flush).
 */
function writeAlertmanagerConfig({ dir, backendUrl, ingestToken, slackUrl }) {
  const stack = readYaml(path.join(stackDir, 'alertmanager.yml'));
  const receiver = (name) => structuredClone(stack.receivers.find((r) => r.name === name));
  mkdirSync(path.join(dir, 'secrets'), { recursive: true });
  const secret = (name, value) => {
    const file = path.join(dir, 'secrets', name);
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    return file;
  };

  const backend = receiver('cartae-secops');
  const [webhook] = backend.webhook_configs;
  const url = new URL(webhook.url);
  url.host = new URL(backendUrl).host;
  webhook.url = url.href;
  webhook.http_config.authorization.credentials_file = secret('ingest_token', ingestToken);

  const slack = receiver('warning');
  for (const config of slack.slack_configs) config.api_url_file = secret('slack_webhook_monitoring', slackUrl);

  const config = {
    templates: stack.templates.map((glob) => path.join(stackDir, glob)),
    route: {
      receiver: backend.name,
      group_by: ['...'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '1h',
      routes: [{ receiver: backend.name, continue: true }, { receiver: slack.name }],
    },
    receivers: [backend, slack],
  };
  const file = path.join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * Starts the real Alertmanager on loopback, on a free port, without clustering, with the configuration above and
 * Slack at a loopback port nobody listens on (connection refused, as when Slack is unreachable); resolves once it is
 * ready.
 */
export async function startAlertmanager({ dir, backendUrl, ingestToken }) {
  const slackUrl = `http://127.0.0.1:${await freePort()}/services/T00000000/B00000000/unreachable`;
  return runAlertmanager(dir, writeAlertmanagerConfig({ dir, backendUrl, ingestToken, slackUrl }));
}

/** The real Alertmanager with `configFile`, on a free loopback port, without clustering; resolves once ready. */
export async function runAlertmanager(dir, configFile) {
  const port = await freePort();
  return startServer({
    name: 'alertmanager',
    command: ALERTMANAGER,
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip listener (a single instance; the stack runs one too).
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    url: `http://127.0.0.1:${port}`,
  });
}

/** Sends one firing alert through Alertmanager's API v2, as Prometheus does (POST /api/v2/alerts). */
export async function sendAlert(alertmanagerUrl, { labels, annotations }) {
  const res = await fetch(new URL('/api/v2/alerts', alertmanagerUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ labels, annotations, startsAt: new Date().toISOString() }]),
  });
  if (!res.ok) throw new Error(`Alertmanager refused the alert: ${res.status} ${await res.text()}`);
}
