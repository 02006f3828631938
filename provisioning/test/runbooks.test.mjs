// docs/runbooks: one page per alert, with the three sections an on-call engineer looks for, and queries that
// parse (PromQL with Prometheus's grammar, LogQL with Grafana's).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { alertRules, repoPath } from './helpers.mjs';
import { logqlErrors, promqlErrors } from './promql.mjs';

const alerts = alertRules();
const SECTIONS = ['## What it means', '## How to investigate', '## How to fix'];

/** The contents of the ```lang code blocks of a Markdown text. */
function codeBlocks(markdown, lang) {
  return [...markdown.matchAll(new RegExp('^( *)```' + lang + '\\n([\\s\\S]*?)^\\1```', 'gm'))].map((match) =>
    match[2]
      .split('\n')
      .map((line) => line.slice(match[1].length))
      .join('\n')
      .trim()
  );
}

describe('runbooks', () => {
  for (const { alert, annotations } of alerts) {
    test(`${alert}: its runbook_url is a page with what it means, how to investigate, how to fix`, () => {
      const file = repoPath(annotations.runbook_url);
      assert.ok(existsSync(file), `${annotations.runbook_url} is missing`);
      const page = readFileSync(file, 'utf8');
      assert.equal(page.split('\n')[0], `# ${alert}`);
      let last = -1;
      for (const section of SECTIONS) {
        const at = page.indexOf(`\n${section}\n`);
        assert.ok(at > last, `"${section}" missing or out of order`);
        last = at;
      }
    });
  }

  test('every page is an alert’s and the index lists them all', () => {
    const names = alerts.map((rule) => rule.alert).sort();
    const pages = readdirSync(repoPath('docs', 'runbooks'))
      .filter((name) => name.endsWith('.md') && name !== 'README.md')
      .map((name) => name.slice(0, -3))
      .sort();
    assert.deepEqual(pages, names);
    const index = readFileSync(repoPath('docs', 'runbooks', 'README.md'), 'utf8');
    for (const name of names) assert.ok(index.includes(`[${name}](${name}.md)`), `README.md does not list ${name}`);
  });

  test('their PromQL and LogQL queries parse', () => {
    let count = 0;
    for (const name of readdirSync(repoPath('docs', 'runbooks')).filter((n) => n.endsWith('.md'))) {
      const page = readFileSync(repoPath('docs', 'runbooks', name), 'utf8');
      for (const query of codeBlocks(page, 'promql')) {
        assert.deepEqual(promqlErrors(query), [], `${name}: ${query}`);
        count += 1;
      }
      for (const query of codeBlocks(page, 'logql')) {
        assert.deepEqual(logqlErrors(query), [], `${name}: ${query}`);
        count += 1;
      }
    }
    assert.ok(count >= 20, `only ${count} queries found: is the code block extraction broken?`);
  });

  test('docs/logql.md’s queries parse, and the seed’s `__timestamp__` filter is gone', () => {
    const page = readFileSync(repoPath('docs', 'logql.md'), 'utf8');
    const queries = codeBlocks(page, 'logql');
    assert.ok(queries.length >= 5);
    for (const query of queries) {
      assert.deepEqual(logqlErrors(query), [], query);
      assert.doesNotMatch(query, /__timestamp__|cartae-api"/);
    }
  });

  test('a broken query is caught (the parsers report errors)', () => {
    assert.notDeepEqual(promqlErrors('sum by (job (rate(x[5m]))'), []);
    assert.notDeepEqual(logqlErrors('{job="cartae-secops-api"} | json | __timestamp__ > ago(1h)'), []);
  });
});
