// One source of truth: the committed JSON (what Grafana provisions) and README panel list are exactly what
// the TypeScript generates. After changing src/, run `npm run generate -w dashboards` and commit both.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../lib/queries.mjs';
import { DASHBOARDS, JSON_DIR, render, renderAll, renderReadme } from '../src/index.ts';

describe('generated files', () => {
  for (const { file, build } of DASHBOARDS) {
    it(`json/${file} equals the generator's output`, async () => {
      const committed = readFileSync(join(JSON_DIR, file), 'utf8');
      assert.equal(committed, await render(file, build), `run npm run generate -w dashboards`);
    });
  }

  it("README.md's panel list equals the generator's output", async () => {
    const committed = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.equal(committed, await renderReadme(committed, await renderAll()), 'run npm run generate -w dashboards');
  });
});
