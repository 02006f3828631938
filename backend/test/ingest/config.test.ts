import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_MAX_LINE_BYTES, parseIngestConfig } from '../../src/ingest/config';
import { thrown } from '../helpers';
import { tempDir } from './support';

const errorOf = (fn: () => unknown) => thrown(fn, ConfigError);

describe('the ingest section', () => {
  test('absent: nothing is tailed; positions would go to the data folder', () => {
    const cwd = tempDir();
    const config = loadConfig({ DATA_DIR: 'var' }, { cwd });
    expect(config.ingest).toEqual({
      files: [],
      pollIntervalMs: 1000,
      batchSize: 500,
      stateFile: path.join(cwd, 'var', 'ingest', 'positions.json'),
      maxLineBytes: DEFAULT_MAX_LINE_BYTES,
      rotateWaitMs: 5000,
    });
  });

  test('plain paths and mappings, relative paths against the working directory', () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'soar.yml'),
      [
        'ingest:',
        '  files:',
        '    - logs/app.jsonl',
        '    - { path: /var/log/api/security.jsonl, jail: api-auth, from: end }',
        '  pollIntervalMs: 250',
        '  batchSize: 1000',
        '  stateFile: state/positions.json',
        '  maxLineBytes: 262144',
        '  rotateWaitMs: 0',
      ].join('\n')
    );
    const config = loadConfig({ SOAR_CONFIG: 'soar.yml' }, { cwd });
    expect(config.ingest).toEqual({
      files: [
        { path: path.join(cwd, 'logs/app.jsonl'), jail: null, from: 'start' },
        { path: '/var/log/api/security.jsonl', jail: 'api-auth', from: 'end' },
      ],
      pollIntervalMs: 250,
      batchSize: 1000,
      stateFile: path.join(cwd, 'state/positions.json'),
      maxLineBytes: 262_144,
      rotateWaitMs: 0,
    });
  });

  test('a mistake in the file stops start-up and names its key', () => {
    const cwd = tempDir();
    writeFileSync(
      path.join(cwd, 'soar.yml'),
      'ingest:\n  files:\n    - a.jsonl\n    - { path: b.jsonl, from: beginning }\n'
    );
    expect(errorOf(() => loadConfig({ SOAR_CONFIG: 'soar.yml' }, { cwd })).message).toBe(
      'invalid configuration: soar.yml: ingest.files[1].from must be one of start, end (got "beginning")'
    );
  });

  test.each([
    ['ingest.file is not a known key', { file: ['a'] }],
    ['ingest.files must be a list', { files: 'a.jsonl' }],
    ['ingest.files[0] must be a file path', { files: [''] }],
    ['ingest.files[0].path must be a file path', { files: [{ jail: 'x' }] }],
    ['ingest.files[0].jail must be a Fail2ban jail name', { files: [{ path: 'a', jail: 'no spaces' }] }],
    ['ingest.files[0].tail is not a known key', { files: [{ path: 'a', tail: true }] }],
    ['ingest.files[1] repeats the path of files[0]', { files: ['a.jsonl', './a.jsonl'] }],
    ['ingest.pollIntervalMs must be an integer from 10 to 60000', { pollIntervalMs: 1 }],
    ['ingest.batchSize must be an integer from 1 to 100000', { batchSize: 0 }],
    ['ingest.maxLineBytes must be an integer from 65536', { maxLineBytes: 100 }],
    ['ingest.files must list at most 256 files', { files: Array.from({ length: 257 }, (_, i) => `f${i}`) }],
  ])('%s', (message, section) => {
    expect(errorOf(() => parseIngestConfig(section, 'ingest', '/data', '/work')).message).toContain(message);
  });
});
