/**
 * `npm run generate -w dashboards` writes json/*.json from the TypeScript; `npm run check -w dashboards` (and the
 * test suite) fails when a committed file differs from what the TypeScript generates.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JSON_DIR, README, renderAll, renderReadme } from './index';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let stale = 0;
  const dashboards = await renderAll();
  const readme = await readFile(README, 'utf8');
  const outputs = [
    ...dashboards.map(({ file, text }) => ({ path: resolve(JSON_DIR, file), text })),
    { path: README, text: await renderReadme(readme, dashboards) },
  ];
  for (const { path, text } of outputs) {
    if (check) {
      const committed = await readFile(path, 'utf8').catch(() => '');
      if (committed !== text) {
        stale += 1;
        console.error(`${path} differs from the generator's output: run npm run generate -w dashboards`);
      }
    } else {
      await writeFile(path, text);
      console.log(`wrote ${path}`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

void main();
