// Bundles the test host page (host.tsx) with esbuild into host/dist/.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// The routers Grafana 12.4 ships are @grafana/ui's own dependencies (react-router-dom@5 and its v6 compat layer);
// the plugin's react-router-dom@6 is a different package under the same name, so resolve from @grafana/ui.
const fromGrafanaUi = createRequire(require.resolve('@grafana/ui/package.json'));
const aliases = {
  'grafana-router-v5': fromGrafanaUi.resolve('react-router-dom'),
  'grafana-router-v6': fromGrafanaUi.resolve('react-router-dom-v5-compat'),
  // What Grafana core sets up through @grafana/runtime's internal entry (setPluginPage), not in its package exports.
  'grafana-runtime-internal': path.join(
    path.dirname(require.resolve('@grafana/runtime/package.json')),
    'dist/esm/components/PluginPage.mjs'
  ),
};

const outdir = path.join(here, 'dist');
// Chunk names change with their content: no chunk of an earlier build is left beside the new ones.
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [path.join(here, 'host.tsx')],
  outdir,
  entryNames: 'host',
  bundle: true,
  // ES modules with splitting, so that what Grafana loads on demand (the Monaco code editor behind @grafana/ui's
  // CodeEditor, half of these bytes) stays a chunk of its own instead of being parsed before every page.
  format: 'esm',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  target: 'es2022',
  jsx: 'automatic',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
  loader: { '.svg': 'file', '.woff': 'file', '.woff2': 'file', '.png': 'file', '.ttf': 'file', '.eot': 'file' },
  logLevel: 'warning',
  plugins: [
    {
      name: 'grafana-aliases',
      setup(b) {
        b.onResolve({ filter: /^grafana-(router-v[56]|runtime-internal)$/ }, (args) => ({ path: aliases[args.path] }));
      },
    },
  ],
});
console.log('test host bundled into host/dist/');
