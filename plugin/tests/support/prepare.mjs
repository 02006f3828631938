// Builds what the e2e run serves: the backend (dist/), the plugin (dist/) and the test host (host/dist/).
// E2E_SKIP_BUILD=1 reuses the previous builds.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const plugin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
if (process.env.E2E_SKIP_BUILD === '1') {
  console.log('E2E_SKIP_BUILD=1: using the existing builds');
  process.exit(0);
}
const run = (command, cwd) => {
  console.log(`\n> ${command}`);
  execSync(command, { cwd, stdio: 'inherit' });
};
// The root `npm run test:e2e` has just built the backend (its own e2e suite runs first): build only when stale.
if (backendIsStale(path.join(plugin, '..', 'backend'))) {
  run('npm run build -w backend', path.join(plugin, '..'));
} else {
  console.log('backend/dist is newer than its sources: not rebuilt');
}
run('npm run build', plugin);
if (!process.env.GRAFANA_URL) {
  run('node host/build.mjs', plugin);
}

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function backendIsStale(backend) {
  const built = path.join(backend, 'dist/src/cli/index.js');
  if (!existsSync(built)) {
    return true;
  }
  const sources = Math.max(
    newestSource(path.join(backend, 'src')),
    statSync(path.join(backend, 'package.json')).mtimeMs
  );
  return sources > statSync(built).mtimeMs;
}
