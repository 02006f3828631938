// The test host: serves the host page and the plugin's dist/ like Grafana serves public/plugins/<id>/, and answers
// the Grafana APIs an app plugin uses (grafana-api.mjs) and its proxy routes (plugin-proxy.mjs).
// Env: PORT, PLUGIN_DIST (default ../dist), PLUGIN_JSONDATA and PLUGIN_SECUREJSONDATA (initial settings, JSON),
// HOST_DATASOURCES (data source instances of the app's nested data source plugins, JSON; see datasource-api.mjs),
// GRAFANA_ADMIN_PASSWORD (default admin).
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootDataSources, createDataSourceState, handleDataSourceApi } from './datasource-api.mjs';
import { createGrafanaState, currentUser, handleGrafanaApi, json } from './grafana-api.mjs';
import { pluginProxy } from './plugin-proxy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const PORT = Number(process.env.PORT || 4320);
const DIST = path.resolve(here, '..', process.env.PLUGIN_DIST || 'dist');
const HOST_DIST = path.join(here, 'dist');
const ICONS = path.join(path.dirname(require.resolve('@grafana/ui/package.json')), 'dist/public/img/icons');
const pluginJson = JSON.parse(fs.readFileSync(path.join(DIST, 'plugin.json'), 'utf8'));
const ID = pluginJson.id;
const state = createGrafanaState({
  pluginJson,
  jsonData: JSON.parse(process.env.PLUGIN_JSONDATA || '{}'),
  secureJsonData: JSON.parse(process.env.PLUGIN_SECUREJSONDATA || '{}'),
});
const dataSources = createDataSourceState({
  dist: DIST,
  appId: ID,
  instances: JSON.parse(process.env.HOST_DATASOURCES || '[]'),
});
const TYPES = {
  '.js': 'application/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.md': 'text/markdown',
};

function bootData(user) {
  return {
    settings: {
      appSubUrl: '',
      appUrl: `http://127.0.0.1:${PORT}/`,
      buildInfo: { version: '12.4.10', edition: 'Open Source', env: 'production' },
      featureToggles: {},
      datasources: bootDataSources(dataSources),
      panels: {},
      apps: {},
    },
    user: {
      id: user?.id ?? 0,
      login: user?.login ?? '',
      name: user?.name ?? '',
      orgId: 1,
      orgRole: user?.role ?? '',
      isGrafanaAdmin: Boolean(user?.isGrafanaAdmin),
      isSignedIn: Boolean(user),
      theme: 'dark',
      lightTheme: false,
      timezone: 'browser',
      weekStart: 'browser',
      locale: 'en-US',
      language: 'en-US',
      permissions: {},
    },
    navTree: [],
    assets: { dark: '', light: '' },
  };
}

const SPINNER_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M12 2a10 10 0 1 0 10 10h-2a8 8 0 1 1-8-8z"/></svg>';

const escapeScript = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(user) {
  const head = `<!doctype html><html><head><meta charset="utf-8"><base href="/"><title>Grafana test host</title>
<link rel="stylesheet" href="/public/build/host.css">
<script>window.grafanaBootData = ${escapeScript(bootData(user))}; window.__grafana_public_path__ = '/public/'; window.__TEST_HOST__ = { pluginId: ${escapeScript(ID)} };</script>
</head>`;
  if (!user) {
    return `${head}<body class="theme-dark" style="background:#111217;color:#ccccdc;font-family:sans-serif">
<form method="post" action="/login" style="max-width:320px;margin:15vh auto;display:flex;flex-direction:column;gap:8px">
<h1>Sign in</h1><label>User <input name="user" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Log in</button></form></body></html>`;
  }
  return `${head}<body class="theme-dark"><div id="reactRoot"></div><script type="module" src="/public/build/host.js"></script></body></html>`;
}

// Grafana in production lets browsers keep its bundles and plugin files for an hour
// (https://github.com/grafana/grafana/pull/64051): a page opened again does not download and compile them anew.
const STATIC_CACHE = 'public, max-age=3600';

function sendFile(res, file) {
  if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
    'cache-control': STATIC_CACHE,
  });
  fs.createReadStream(file).pipe(res);
}

function safeJoin(root, rel) {
  const resolved = path.resolve(root, `.${path.posix.normalize(`/${decodeURIComponent(rel)}`)}`);
  return resolved.startsWith(root) ? resolved : null;
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const p = url.pathname;
    if (p === '/public/build/img/icons/unicons/spinner.svg') {
      // Grafana core ships this icon itself (it is not in @grafana/ui's icon set).
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      return res.end(SPINNER_SVG);
    }
    if (p.startsWith('/public/fonts/')) {
      // Grafana core's fonts are not in any npm package: let the browser fall back to its own fonts.
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('fonts are not served by the test host');
    }
    if (p.startsWith('/public/build/img/icons/')) {
      return sendFile(res, safeJoin(ICONS, p.slice('/public/build/img/icons/'.length)));
    }
    if (p.startsWith('/public/build/')) {
      return sendFile(res, safeJoin(HOST_DIST, p.slice('/public/build/'.length)));
    }
    if (p.startsWith(`/public/plugins/${ID}/`)) {
      return sendFile(res, safeJoin(DIST, p.slice(`/public/plugins/${ID}/`.length)));
    }
    if (p.startsWith(`/api/plugin-proxy/${ID}/`)) {
      const user = currentUser(state, req);
      return user ? pluginProxy(state, user, req, res, url) : json(res, 401, { message: 'Unauthorized' });
    }
    if (p.startsWith('/api/datasources') || p.startsWith('/api/plugins/')) {
      const user = currentUser(state, req);
      if (user && (await handleDataSourceApi(dataSources, user, req, res, url))) {
        return;
      }
    }
    if (await handleGrafanaApi(state, req, res, url)) {
      return;
    }
    if (p.startsWith('/api/')) {
      return json(res, 404, { message: 'Not found (not emulated by the test host)' });
    }
    const user = currentUser(state, req);
    if (!user && p !== '/login') {
      res.writeHead(302, { location: '/login' });
      return res.end();
    }
    if (user && (p === '/' || p === '/login')) {
      res.writeHead(302, { location: `/a/${ID}/audit` });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(user));
  } catch (err) {
    console.error(err);
    if (!res.headersSent) {
      json(res, 500, { message: 'test host error' });
    }
  }
});

server.listen(PORT, '127.0.0.1', () => console.log(`test host on http://127.0.0.1:${PORT} serving ${ID} from ${DIST}`));
// Playwright stops its web servers with a signal: close the listener and open connections, then exit cleanly
// (exit code 0) so the run does not report the host as crashed.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
