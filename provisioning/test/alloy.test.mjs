// provisioning/alloy/config.alloy, without an Alloy binary (none is packaged for Debian): it parses, uses only
// the components and arguments of Alloy's reference, every reference resolves to a component's export, every
// log source reaches Loki, JSON logs have their fields extracted, and labels stay low-cardinality.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseAlloy, plain } from './alloy-syntax.mjs';
import { provisioningDir, readCompose, readYaml } from './helpers.mjs';
import { logqlErrors } from './promql.mjs';

const configFile = path.join(provisioningDir, 'alloy', 'config.alloy');
const text = readFileSync(configFile, 'utf8');

// Arguments (attributes) and blocks of each component, from Alloy's component reference; exports it offers.
const COMPONENTS = {
  logging: { attributes: ['level', 'format', 'write_to'], blocks: [], exports: [] },
  'discovery.docker': {
    attributes: ['host', 'port', 'refresh_interval', 'host_networking_host', 'match_first_network'],
    blocks: ['filter'],
    exports: ['targets'],
  },
  'discovery.relabel': { attributes: ['targets'], blocks: ['rule'], exports: ['output', 'rules'] },
  'loki.source.docker': {
    attributes: ['host', 'targets', 'forward_to', 'labels', 'relabel_rules', 'refresh_interval'],
    blocks: ['client'],
    exports: [],
  },
  'local.file_match': {
    attributes: ['path_targets', 'sync_period', 'ignore_older_than'],
    blocks: [],
    exports: ['targets'],
  },
  'loki.source.file': {
    attributes: ['targets', 'forward_to', 'encoding', 'tail_from_end', 'legacy_positions_file'],
    blocks: ['file_watch', 'decompression'],
    exports: [],
  },
  'loki.process': { attributes: ['forward_to'], blocks: 'stages', exports: ['receiver'] },
  'loki.write': { attributes: ['external_labels', 'max_streams'], blocks: ['endpoint', 'wal'], exports: ['receiver'] },
};
const RULE_ATTRIBUTES = ['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action'];
const STAGES = {
  'stage.json': ['expressions', 'source', 'drop_malformed'],
  'stage.timestamp': ['source', 'format', 'fallback_formats', 'location', 'action_on_failure'],
  'stage.labels': ['values'],
  'stage.static_labels': ['values'],
  'stage.structured_metadata': ['values'],
  'stage.label_drop': ['values'],
  'stage.match': ['selector', 'pipeline_name', 'action', 'drop_counter_reason'],
  'stage.drop': ['source', 'expression', 'value', 'older_than', 'longer_than', 'drop_counter_reason'],
};
const ENDPOINT_ATTRIBUTES = ['url', 'name', 'headers', 'batch_wait', 'batch_size', 'tenant_id', 'remote_timeout'];

/** Labels Loki may index. IPs, users, paths, routes, ids and sequence numbers are unbounded: never labels. */
const ALLOWED_LABELS = ['job', 'service', 'container', 'stream', 'level', 'status', 'stack', 'filename'];

/** Problems found in a parsed configuration (empty when it is sound). */
function problems(config) {
  const found = [];
  const components = new Map();
  for (const block of config.blocks) {
    const spec = COMPONENTS[block.name];
    if (!spec) {
      found.push(`line ${block.line}: unknown component ${block.name}`);
      continue;
    }
    const id = block.label === undefined ? block.name : `${block.name}.${block.label}`;
    if (components.has(id)) found.push(`line ${block.line}: ${id} defined twice`);
    components.set(id, block);
    for (const name of Object.keys(block.body.attributes)) {
      if (!spec.attributes.includes(name)) found.push(`line ${block.line}: ${block.name} has no argument ${name}`);
    }
    checkBlocks(block, spec.blocks === 'stages' ? Object.keys(STAGES) : spec.blocks, found);
  }
  // References: <component>.<label>.<export>, to a defined component that has that export.
  const referenced = new Set();
  const visit = (value) => {
    if (value.kind === 'ref') {
      const parts = value.path.split('.');
      const target = parts.slice(0, -1).join('.');
      const block = components.get(target);
      if (!block) found.push(`line ${value.line}: ${value.path} refers to no component`);
      else if (!COMPONENTS[block.name].exports.includes(parts.at(-1))) {
        found.push(`line ${value.line}: ${block.name} exports no ${parts.at(-1)}`);
      } else referenced.add(target);
    } else if (value.kind === 'array') value.items.forEach(visit);
    else if (value.kind === 'object') Object.values(value.entries).forEach(visit);
  };
  const walk = (body) => {
    Object.values(body.attributes).forEach(visit);
    body.blocks.forEach((block) => walk(block.body));
  };
  walk(config);
  for (const [id, block] of components) {
    if (COMPONENTS[block.name].exports.length > 0 && !referenced.has(id)) found.push(`${id} is never used`);
  }
  return found;
}

function checkBlocks(block, allowed, found) {
  for (const child of block.body.blocks) {
    if (!allowed.includes(child.name)) {
      found.push(`line ${child.line}: ${block.name} has no block ${child.name}`);
      continue;
    }
    const attributes =
      STAGES[child.name] ?? { rule: RULE_ATTRIBUTES, endpoint: ENDPOINT_ATTRIBUTES }[child.name] ?? undefined;
    for (const name of Object.keys(child.body.attributes)) {
      if (attributes && !attributes.includes(name))
        found.push(`line ${child.line}: ${child.name} has no argument ${name}`);
    }
    if (child.name === 'stage.match') checkBlocks(child, Object.keys(STAGES), found);
  }
}

/** Every block of a body, nested ones included. */
function allBlocks(body) {
  return body.blocks.flatMap((block) => [block, ...allBlocks(block.body)]);
}

describe('config.alloy', () => {
  const config = parseAlloy(text);
  const byId = (name, label) => config.blocks.find((b) => b.name === name && b.label === label);

  test('parses, and uses only known components, arguments and stages, with references that resolve', () => {
    assert.deepEqual(problems(config), []);
  });

  test('the checks catch a misspelt reference, argument or stage (they are real)', () => {
    const broken = [
      text.replace('loki.write.default.receiver', 'loki.write.defualt.receiver'),
      text.replace('sync_period', 'sync_periods'),
      text.replace('stage.timestamp {', 'stage.timestamps {'),
    ];
    for (const variant of broken) assert.notDeepEqual(problems(parseAlloy(variant)), []);
    assert.throws(() => parseAlloy(text.replace('msg    = "msg",', 'msg    = "msg"')), /"," is required/);
  });

  test('reads Docker containers through discovery.docker and loki.source.docker', () => {
    const source = byId('loki.source.docker', 'containers');
    assert.equal(plain(source.body.attributes.targets), '@discovery.docker.containers.targets');
    assert.equal(plain(source.body.attributes.relabel_rules), '@discovery.relabel.containers.rules');
    assert.equal(plain(source.body.attributes.host), 'unix:///var/run/docker.sock');
  });

  test('reads the JSON log files through local.file_match and loki.source.file, and extracts their fields', () => {
    const targets = plain(byId('local.file_match', 'secops').body.attributes.path_targets);
    const jobs = Object.fromEntries(targets.map((t) => [t.job, t.__path__]));
    assert.equal(jobs['cartae-secops-api'], '/var/log/cartae-secops/api.log');
    assert.equal(jobs['cartae-secops-events'], '/var/log/cartae-secops/security-events.log');
    assert.equal(jobs['cartae-secops-audit'], '/var/log/cartae-secops/audit/*.jsonl');
    assert.equal(plain(byId('loki.source.file', 'secops').body.attributes.targets), '@local.file_match.secops.targets');
    const matches = byId('loki.process', 'secops').body.blocks.filter((b) => b.name === 'stage.match');
    for (const job of ['cartae-secops-api', 'cartae-secops-events', 'cartae-secops-audit']) {
      const match = matches.find((m) => plain(m.body.attributes.selector) === `{job="${job}"}`);
      assert.ok(match, `no stage.match for ${job}`);
      const stages = match.body.blocks.map((b) => b.name);
      assert.ok(stages.includes('stage.json'), `${job}: no stage.json`);
      assert.ok(stages.includes('stage.timestamp'), `${job}: no stage.timestamp`);
    }
    for (const match of allBlocks(config).filter((b) => b.name === 'stage.match')) {
      assert.deepEqual(logqlErrors(plain(match.body.attributes.selector)), []);
    }
  });

  test('every source reaches loki.write, which pushes to the compose service loki', () => {
    const forwards = new Map(
      config.blocks
        .filter((b) => b.body.attributes.forward_to)
        .map((b) => [
          `${b.name}.${b.label}`,
          plain(b.body.attributes.forward_to).map((r) => r.slice(1).replace(/\.receiver$/, '')),
        ])
    );
    const reaches = (id, seen = new Set()) =>
      id === 'loki.write.default' || (!seen.has(id) && (forwards.get(id) ?? []).some((n) => reaches(n, seen.add(id))));
    for (const source of ['loki.source.docker.containers', 'loki.source.file.secops'])
      assert.ok(reaches(source), source);
    const url = new URL(plain(byId('loki.write', 'default').body.blocks[0].body.attributes.url));
    assert.equal(url.hostname, 'loki');
    assert.ok(readCompose().services.loki);
    assert.equal(Number(url.port), readYaml(path.join(provisioningDir, 'loki', 'loki.yml')).server.http_listen_port);
    assert.equal(url.pathname, '/loki/api/v1/push');
  });

  test('sets low-cardinality labels only', () => {
    const labels = new Set();
    for (const block of allBlocks(config)) {
      const attrs = block.body.attributes;
      if (['stage.labels', 'stage.static_labels'].includes(block.name))
        Object.keys(plain(attrs.values)).forEach((l) => labels.add(l));
      if (block.name === 'rule' && attrs.target_label) labels.add(plain(attrs.target_label));
      if (block.name === 'loki.source.docker') Object.keys(plain(attrs.labels)).forEach((l) => labels.add(l));
      if (block.name === 'loki.write') Object.keys(plain(attrs.external_labels)).forEach((l) => labels.add(l));
      if (block.name === 'local.file_match') {
        for (const target of plain(attrs.path_targets))
          Object.keys(target)
            .filter((k) => !k.startsWith('__'))
            .forEach((l) => labels.add(l));
      }
    }
    assert.ok(labels.size > 0);
    for (const label of labels) assert.ok(ALLOWED_LABELS.includes(label), `label ${label} may be high-cardinality`);
  });

  test('the compose service mounts the Docker socket and every log folder it reads', () => {
    const alloy = readCompose().services.alloy;
    const targets = alloy.volumes.map((v) => v.split(':')[1]);
    assert.ok(targets.includes('/var/run/docker.sock'));
    assert.ok(targets.includes('/etc/alloy/config.alloy'));
    for (const target of plain(byId('local.file_match', 'secops').body.attributes.path_targets)) {
      assert.ok(
        targets.some((t) => target.__path__.startsWith(`${t}/`)),
        `${target.__path__} is in no volume of the alloy service`
      );
    }
  });
});
