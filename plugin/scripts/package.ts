/**
 * `npm run package` (the last step of `npm run build`): zips the built dist/ as cartae-secops-app-<version>.zip in
 * the plugin folder, the file to unzip into a Grafana's plugins folder (README: "Install into an existing Grafana").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packagePlugin } from './packagePlugin';

const pluginDir = path.resolve(__dirname, '..');
const { version } = JSON.parse(readFileSync(path.join(pluginDir, 'package.json'), 'utf8')) as { version: string };

packagePlugin(path.join(pluginDir, 'dist'), pluginDir, version).then(
  ({ file, entries }) => console.log(`${path.relative(pluginDir, file)}: ${entries.length} entries`),
  (err: unknown) => {
    console.error(`packaging failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
);
