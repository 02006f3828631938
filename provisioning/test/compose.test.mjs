// docker-compose.yml cannot run here (no Docker engine) and Debian's docker-compose v1 is too old to judge it:
// it is checked against the Compose Specification's JSON schema (../shared/schemas/compose-spec.json, beside
// the checkout as CI lays it out) and against the repository it mounts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import { readCompose, repoPath, repoRoot, serviceSecrets } from './helpers.mjs';

const compose = readCompose();
const services = Object.entries(compose.services);
const composeText = readFileSync(repoPath('docker-compose.yml'), 'utf8');
const envExample = readFileSync(repoPath('.env.example'), 'utf8');

/** Host paths a service may mount: what node-exporter, cAdvisor and Alloy need to see of the host. */
const HOST_PATHS = ['/', '/sys', '/var/run', '/var/lib/docker', '/dev/disk', '/var/run/docker.sock'];
/** Repository paths that a build creates (gitignored), with the npm script that does. */
const BUILD_OUTPUTS = { 'plugin/dist': { workspace: 'plugin', script: 'build' } };

function validator() {
  const file = path.resolve(repoRoot, '..', 'shared', 'schemas', 'compose-spec.json');
  assert.ok(existsSync(file), `${file} is missing: CI places shared/ beside the checkout`);
  const { $schema, ...schema } = JSON.parse(readFileSync(file, 'utf8'));
  // The schema says draft-07 (as https://json-schema.org/draft-07/schema): Ajv's default draft.
  assert.match($schema, /draft-07/);
  // It uses union types and omits "type": "object" beside object keywords; that is valid JSON Schema.
  return new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(schema);
}

/** Every volume of every service as { service, source, target, readOnly }, short or long syntax. */
function mounts() {
  return services.flatMap(([name, service]) =>
    (service.volumes ?? []).map((volume) => {
      if (typeof volume !== 'string') {
        return { service: name, source: volume.source, target: volume.target, readOnly: volume.read_only === true };
      }
      const [source, target, mode = ''] = volume.split(':');
      return { service: name, source, target, readOnly: mode.split(',').includes('ro') };
    })
  );
}

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const validate = validator();
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  });

  test('the schema check rejects a misspelt key (the check is real)', () => {
    const validate = validator();
    const broken = structuredClone(compose);
    broken.services.grafana.healthchek = broken.services.grafana.healthcheck;
    assert.equal(validate(broken), false);
  });

  test('mounts only repository paths that exist, declared volumes and a fixed list of host paths', () => {
    const volumes = Object.keys(compose.volumes ?? {});
    for (const { service, source } of mounts()) {
      if (source.startsWith('./') || source.startsWith('../')) {
        const relative = path.posix.normalize(source);
        assert.ok(!relative.startsWith('..'), `${service}: ${source} is outside the repository`);
        const output = BUILD_OUTPUTS[relative];
        if (output) {
          const pkg = JSON.parse(readFileSync(repoPath(output.workspace, 'package.json'), 'utf8'));
          assert.ok(pkg.scripts?.[output.script], `${service}: ${source} is built by npm run ${output.script}`);
        } else {
          assert.ok(existsSync(repoPath(relative)), `${service}: ${source} does not exist`);
        }
      } else if (source.startsWith('/')) {
        assert.ok(HOST_PATHS.includes(source), `${service}: host path ${source} is not in the allowed list`);
      } else {
        assert.ok(volumes.includes(source), `${service}: volume ${source} is not declared`);
      }
    }
  });

  test('mounts configuration read-only, and every declared volume is used', () => {
    for (const { service, source, readOnly } of mounts()) {
      if (source.startsWith('./')) assert.ok(readOnly, `${service}: ${source} should be mounted :ro`);
    }
    const used = new Set(mounts().map((m) => m.source));
    for (const volume of Object.keys(compose.volumes)) assert.ok(used.has(volume), `volume ${volume} is unused`);
  });

  test('pins every image to a version (no latest, no bare name)', () => {
    for (const [name, service] of services) {
      assert.ok(service.image, `${name}: no image`);
      if (service.build) {
        assert.ok(existsSync(repoPath(service.build.context, service.build.dockerfile)), `${name}: no Dockerfile`);
        continue;
      }
      const tag = service.image.split('/').at(-1).split(':')[1];
      assert.ok(tag && /\d/.test(tag) && !/latest/.test(tag), `${name}: ${service.image} is not pinned`);
    }
  });

  test('gives every service a health check', () => {
    for (const [name, service] of services) {
      assert.ok(Array.isArray(service.healthcheck?.test), `${name}: no health check`);
      assert.notEqual(service.healthcheck.disable, true, name);
    }
  });

  test('limits the memory of the services that hold data or serve users (HighMemoryUsage measures against it)', () => {
    for (const name of ['grafana', 'backend', 'postgres', 'redis', 'prometheus', 'alertmanager', 'loki', 'alloy']) {
      assert.match(String(compose.services[name].mem_limit), /^\d+[mg]$/, name);
    }
  });

  test('puts every service on one network, but Fail2ban on the host’s (it bans on the host firewall)', () => {
    assert.deepEqual(Object.keys(compose.networks), ['secops']);
    for (const [name, service] of services) {
      if (name === 'fail2ban') {
        assert.equal(service.network_mode, 'host');
        assert.deepEqual(service.cap_add, ['NET_ADMIN', 'NET_RAW']);
      } else {
        assert.deepEqual(service.networks, ['secops'], name);
      }
    }
  });

  test('publishes only Grafana beyond the host’s loopback', () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) {
        if (name === 'grafana') continue;
        assert.match(port, /^(127\.0\.0\.1|\$\{SECOPS_BIND:-127\.0\.0\.1\}):/, `${name}: ${port}`);
      }
    }
  });

  test('takes secrets from .env: each declared from a documented variable, each used, each mounted where used', () => {
    const declared = Object.entries(compose.secrets);
    const used = new Set(services.flatMap(([, service]) => serviceSecrets(service)));
    for (const [name, secret] of declared) {
      assert.ok(secret.environment, `${name}: from a .env variable`);
      assert.match(envExample, new RegExp(`^${secret.environment}=`, 'm'), `${secret.environment} not in .env.example`);
      assert.ok(used.has(name), `secret ${name} is unused`);
    }
    for (const secret of used) assert.ok(compose.secrets[secret], `secret ${secret} is not declared`);
    // A service told to read /run/secrets/x must have secret x.
    for (const [name, service] of services) {
      const env = service.environment ?? {};
      for (const [key, value] of Object.entries(env)) {
        const secret = /^\/run\/secrets\/(.+)$/.exec(String(value))?.[1];
        if (secret) assert.ok(serviceSecrets(service).includes(secret), `${name}: ${key} reads a secret it lacks`);
      }
    }
  });

  test('documents every variable it interpolates in .env.example', () => {
    const variables = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]));
    assert.ok(variables.size > 0);
    for (const variable of variables) {
      assert.match(envExample, new RegExp(`^(# )?${variable}=`, 'm'), `${variable} not in .env.example`);
    }
  });

  test('loads the app plugin from plugin/dist and allows exactly our unsigned plugins', () => {
    const grafana = compose.services.grafana;
    assert.equal(
      grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS,
      'cartae-secops-app,cartae-secops-datasource'
    );
    assert.ok(grafana.volumes.includes('./plugin/dist:/var/lib/grafana/plugins/cartae-secops-app:ro'));
    assert.ok(grafana.volumes.includes('./dashboards/json:/var/lib/grafana/dashboards:ro'));
  });
});

describe('backend/Dockerfile', () => {
  const dockerfile = readFileSync(repoPath('backend', 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));

  test('is multi-stage on node:20-bookworm-slim', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'several stages');
    for (const from of froms) assert.match(from, /^FROM \$\{NODE_IMAGE\}/);
  });

  test('runs as an unprivileged user and checks /health', () => {
    const users = instructions.filter((line) => line.startsWith('USER '));
    assert.deepEqual(users, ['USER node']);
    assert.ok(instructions.indexOf('USER node') < instructions.findIndex((line) => line.startsWith('CMD ')));
    assert.match(dockerfile, /HEALTHCHECK [^\n]*\\\n\s+CMD \[[^\n]*\/health/);
  });

  test('keeps secrets and local builds out of the build context', () => {
    const ignore = readFileSync(repoPath('.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.env', '**/node_modules', '**/data', '.git']) assert.ok(ignore.includes(entry), entry);
  });
});
