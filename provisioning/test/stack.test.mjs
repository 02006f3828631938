// The services' configurations agree with docker-compose.yml: every host Prometheus scrapes or Grafana queries
// is a compose service, every file a configuration names is mounted where it looks for it, every secret it
// reads is given to it, and the Grafana provisioning gets the variables it interpolates.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { provisioningDir, readCompose, readYaml, repoPath, secretNames, serviceSecrets } from './helpers.mjs';

const compose = readCompose();
const serviceNames = Object.keys(compose.services);
const prometheus = readYaml(path.join(provisioningDir, 'prometheus', 'prometheus.yml'));

/** The repository path mounted at a container path of a service (bind mounts only), or undefined. */
function hostPathOf(service, containerPath) {
  for (const volume of compose.services[service].volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source.startsWith('./')) continue;
    if (containerPath === target) return source;
    if (containerPath.startsWith(`${target}/`)) return path.posix.join(source, containerPath.slice(target.length + 1));
  }
  return undefined;
}

/** The host:port Prometheus really connects to for a scrape config (blackbox jobs rewrite __address__). */
function scrapeAddresses(job) {
  const rewrite = (job.relabel_configs ?? []).find((r) => r.target_label === '__address__' && !r.source_labels);
  if (rewrite) return [rewrite.replacement];
  return (job.static_configs ?? []).flatMap((c) => c.targets);
}

describe('Prometheus in the stack', () => {
  test('scrapes and alerts only compose services', () => {
    const addresses = [
      ...prometheus.scrape_configs.flatMap(scrapeAddresses),
      ...prometheus.alerting.alertmanagers.flatMap((am) => am.static_configs.flatMap((c) => c.targets)),
    ];
    assert.ok(addresses.length >= 10);
    for (const address of addresses) {
      const host = address.split(':')[0];
      assert.ok(serviceNames.includes(host), `${address}: no compose service ${host}`);
    }
  });

  test('finds its rule and target files where compose mounts them', () => {
    const configMount = compose.services.prometheus.command.find((arg) => arg.startsWith('--config.file='));
    const configDir = path.posix.dirname(configMount.split('=')[1]);
    assert.equal(hostPathOf('prometheus', `${configDir}/prometheus.yml`), './provisioning/prometheus/prometheus.yml');
    const files = [
      ...prometheus.rule_files,
      ...prometheus.scrape_configs.flatMap((job) => (job.file_sd_configs ?? []).flatMap((sd) => sd.files)),
    ];
    for (const file of files) {
      const inContainer = path.posix.join(configDir, path.posix.dirname(file));
      const onHost = hostPathOf('prometheus', inContainer);
      assert.equal(onHost, `./provisioning/prometheus/${path.posix.dirname(file)}`, `${file} is not mounted`);
      assert.ok(existsSync(repoPath(onHost)), onHost);
    }
  });

  test('is given the secrets its configuration reads', () => {
    const text = readFileSync(path.join(provisioningDir, 'prometheus', 'prometheus.yml'), 'utf8');
    assert.deepEqual(secretNames(text), serviceSecrets(compose.services.prometheus));
  });

  test('uses the metrics token the backend requires', () => {
    const backend = compose.services.backend;
    assert.equal(backend.environment.METRICS_TOKEN_FILE, '/run/secrets/metrics_token');
    assert.ok(serviceSecrets(backend).includes('metrics_token'));
  });
});

describe('Alertmanager in the stack', () => {
  test('finds its configuration and templates where compose mounts them', () => {
    const config = readYaml(path.join(provisioningDir, 'alertmanager', 'alertmanager.yml'));
    assert.equal(
      hostPathOf('alertmanager', '/etc/alertmanager/alertmanager.yml'),
      './provisioning/alertmanager/alertmanager.yml'
    );
    for (const glob of config.templates) {
      assert.equal(
        hostPathOf('alertmanager', path.posix.join('/etc/alertmanager', path.posix.dirname(glob))),
        './provisioning/alertmanager/templates'
      );
    }
  });

  test('posts to the backend with the ingest token the backend knows', () => {
    assert.equal(compose.services.backend.environment.SECOPS_INGEST_TOKEN_FILE, '/run/secrets/ingest_token');
    assert.ok(serviceSecrets(compose.services.alertmanager).includes('ingest_token'));
  });
});

describe('Grafana provisioning', () => {
  const datasources = readYaml(path.join(provisioningDir, 'grafana', 'datasources', 'datasources.yml')).datasources;
  const apps = readYaml(path.join(provisioningDir, 'grafana', 'plugins', 'apps.yml')).apps;
  const providers = readYaml(path.join(provisioningDir, 'grafana', 'dashboards', 'dashboards.yml')).providers;

  test('has the four data sources with fixed, distinct uids, on compose services', () => {
    const byType = Object.fromEntries(datasources.map((ds) => [ds.type, ds]));
    assert.deepEqual(Object.keys(byType).sort(), ['alertmanager', 'cartae-secops-datasource', 'loki', 'prometheus']);
    assert.deepEqual(
      datasources.map((ds) => ds.uid),
      ['cartae-prometheus', 'cartae-loki', 'cartae-alertmanager', 'cartae-secops']
    );
    for (const ds of datasources) {
      const url = new URL(ds.url ?? ds.jsonData.backendUrl);
      assert.ok(serviceNames.includes(url.hostname), `${ds.name}: ${url.hostname} is no compose service`);
      assert.equal(ds.editable, false);
    }
    assert.equal(byType.prometheus.isDefault, true);
    assert.equal(byType.prometheus.jsonData.alertmanagerUid, 'cartae-alertmanager');
    assert.equal(byType.prometheus.jsonData.timeInterval, prometheus.global.scrape_interval);
  });

  test('enables the app with the backend URL, and its tokens from environment variables only', () => {
    assert.equal(apps.length, 1);
    const [app] = apps;
    assert.equal(app.type, 'cartae-secops-app');
    assert.equal(app.disabled, false);
    assert.equal(app.jsonData.backendUrl, 'http://backend:3010');
    // The key the plugin's proxy routes read the backend URL from.
    const pluginJson = JSON.parse(readFileSync(repoPath('plugin/src/plugin.json'), 'utf8'));
    for (const route of pluginJson.routes) assert.ok(route.url.startsWith('{{ .JsonData.backendUrl }}'), route.url);
    for (const value of Object.values(app.secureJsonData)) assert.match(value, /^\$\{[A-Z_]+\}$/);
    // The data source only reads: never the admin token.
    const secops = datasources.find((ds) => ds.type === 'cartae-secops-datasource');
    assert.deepEqual(secops.secureJsonData, { viewerToken: '${SECOPS_VIEWER_TOKEN}' });
  });

  test('gets every variable its files interpolate from the compose file', () => {
    const grafanaDir = path.join(provisioningDir, 'grafana');
    const text = ['datasources/datasources.yml', 'plugins/apps.yml', 'dashboards/dashboards.yml']
      .map((file) => readFileSync(path.join(grafanaDir, file), 'utf8'))
      .join('\n');
    const variables = [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]))];
    assert.deepEqual(variables.sort(), ['SECOPS_ADMIN_TOKEN', 'SECOPS_VIEWER_TOKEN']);
    for (const variable of variables) assert.ok(compose.services.grafana.environment[variable], variable);
  });

  test('mounts each provisioning folder where Grafana reads it, and serves dashboards/ through the provider', () => {
    for (const kind of ['datasources', 'dashboards', 'plugins']) {
      assert.equal(hostPathOf('grafana', `/etc/grafana/provisioning/${kind}`), `./provisioning/grafana/${kind}`);
    }
    assert.equal(providers.length, 1);
    assert.equal(providers[0].type, 'file');
    assert.equal(hostPathOf('grafana', providers[0].options.path), './dashboards/json');
  });
});

describe('Fail2ban in the stack', () => {
  const jailLocal = readFileSync(repoPath('provisioning', 'fail2ban', 'jail.local'), 'utf8');
  const override = readFileSync(repoPath('provisioning', 'compose', 'fail2ban.local'), 'utf8');
  const fail2ban = compose.services.fail2ban;

  test('loads the repository’s jails, filters and actions, and the compose override after them', () => {
    assert.equal(hostPathOf('fail2ban', '/data/jail.d/cartae-secops.local'), './provisioning/fail2ban/jail.local');
    assert.equal(hostPathOf('fail2ban', '/data/jail.d/zz-compose.local'), './provisioning/compose/fail2ban.local');
    assert.ok('cartae-secops.local' < 'zz-compose.local', 'jail.d files load in name order');
    assert.equal(hostPathOf('fail2ban', '/data/filter.d'), './provisioning/fail2ban/filter.d');
    assert.equal(hostPathOf('fail2ban', '/data/action.d'), './provisioning/fail2ban/action.d');
  });

  test('reads the event log the backend creates, on a volume they share', () => {
    const logPath = /^cartae_events_log\s*=\s*(\S+)/m.exec(jailLocal)?.[1];
    assert.ok(logPath, 'jail.local sets cartae_events_log');
    const backendCommand = compose.services.backend.command.join(' ');
    assert.ok(backendCommand.includes(`touch ${logPath} `), `the backend does not create ${logPath}`);
    const volumeOf = (service) =>
      compose.services[service].volumes
        .map((v) => v.split(':'))
        .find(([, target]) => logPath.startsWith(`${target}/`))?.[0];
    assert.ok(volumeOf('fail2ban'));
    assert.equal(volumeOf('fail2ban'), volumeOf('backend'));
  });

  test('reports bans with the ingest token secret, and writes its own log where recidive and Alloy read it', () => {
    assert.deepEqual(secretNames(override), serviceSecrets(fail2ban));
    assert.match(override, /^cartae_secops_token_file = \/run\/secrets\/ingest_token$/m);
    const logDir = path.posix.dirname(fail2ban.environment.F2B_LOG_TARGET);
    assert.match(override, new RegExp(`^logpath = ${fail2ban.environment.F2B_LOG_TARGET}$`, 'm'));
    assert.ok(fail2ban.volumes.some((v) => v.endsWith(`:${logDir}`)));
    assert.ok(compose.services.alloy.volumes.some((v) => v.split(':')[1] === logDir));
  });

  test('shares its socket with the backend, which runs fail2ban-client through its sudo rule', () => {
    const socketDir = path.posix.dirname(compose.services.backend.environment.FAIL2BAN_SOCKET);
    const volume = (service) =>
      compose.services[service].volumes.find((v) => v.split(':')[1] === socketDir)?.split(':')[0];
    assert.ok(volume('backend'));
    assert.equal(volume('backend'), volume('fail2ban'));
    const client = compose.services.backend.environment.FAIL2BAN_CLIENT;
    const dockerfile = readFileSync(repoPath('backend', 'Dockerfile'), 'utf8');
    assert.equal(client, 'sudo -n /usr/bin/fail2ban-client');
    assert.match(dockerfile, /node ALL=\(root\) NOPASSWD: \/usr\/bin\/fail2ban-client/);
  });
});
