// provisioning/loki/loki.yml, without a Loki binary (none is packaged for Debian): the structure Loki 3 needs
// (TSDB index, schema v13, filesystem storage, retention by the compactor, 30 days) and none of the keys Loki 3
// removed, which make it refuse to start (the seed's boltdb/v11, enforce_metric_name, table_manager…).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { provisioningDir, readCompose, readYaml } from './helpers.mjs';

const config = readYaml(path.join(provisioningDir, 'loki', 'loki.yml'));

/** Keys removed in Loki 3.0 (upgrade guide) or tied to the legacy index, as paths. */
const REMOVED = [
  'table_manager',
  'chunk_store_config.max_look_back_period',
  'limits_config.enforce_metric_name',
  'storage_config.boltdb',
  'storage_config.boltdb_shipper.shared_store',
  'compactor.shared_store',
  'ingester.max_transfer_retries',
  'querier.engine.timeout',
  'frontend_worker.parallelism',
  'ruler.alertmanager_use_v2',
];

function get(object, dotted) {
  return dotted
    .split('.')
    .reduce((value, key) => (value === undefined || value === null ? undefined : value[key]), object);
}

/** Hours of a Loki duration such as 720h or 30d. */
function hours(duration) {
  const match = /^(\d+)(h|d)$/.exec(duration);
  assert.ok(match, `unsupported duration ${duration}`);
  return Number(match[1]) * (match[2] === 'd' ? 24 : 1);
}

describe('loki.yml', () => {
  test('indexes with TSDB and schema v13 on the filesystem, one day per index table', () => {
    assert.ok(config.schema_config.configs.length > 0);
    for (const period of config.schema_config.configs) {
      assert.equal(period.store, 'tsdb');
      assert.equal(period.schema, 'v13');
      assert.equal(period.object_store, 'filesystem');
      assert.equal(period.index.period, '24h', 'retention needs 24 h index tables');
    }
    assert.ok(config.common.storage.filesystem.chunks_directory.startsWith(config.common.path_prefix));
  });

  test('keeps 30 days, deleted by the compactor', () => {
    assert.equal(hours(config.limits_config.retention_period), 30 * 24);
    assert.equal(config.compactor.retention_enabled, true);
    // Loki 3 refuses retention without a store for delete requests.
    assert.equal(config.compactor.delete_request_store, 'filesystem');
    assert.ok(config.compactor.working_directory.startsWith(config.common.path_prefix));
  });

  test('has none of the keys Loki 3 removed', () => {
    for (const key of REMOVED) assert.equal(get(config, key), undefined, key);
  });

  test('accepts structured metadata (Alloy sends route, status, event, seq as such)', () => {
    assert.equal(config.limits_config.allow_structured_metadata, true);
  });

  test('listens where Grafana and Alloy expect it, and stores under the compose volume', () => {
    assert.equal(config.server.http_listen_port, 3100);
    const loki = readCompose().services.loki;
    assert.ok(loki.volumes.includes(`loki-data:${config.common.path_prefix}`));
    assert.ok(loki.volumes.includes('./provisioning/loki/loki.yml:/etc/loki/loki.yml:ro'));
    assert.deepEqual(loki.command, ['-config.file=/etc/loki/loki.yml']);
  });
});
