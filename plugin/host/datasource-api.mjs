// Grafana's data sources as a frontend data source plugin sees them: instances (provisioned from HOST_DATASOURCES,
// a JSON list like provisioning's `datasources:` with uid, name, type, url, jsonData, secureJsonData), their plugins
// (the app's nested plugin.json files in dist/), /api/datasources (secrets write-only, shown as secureJsonFields)
// and the data source proxy of pkg/api/pluginproxy/ds_proxy.go: /api/datasources/proxy/uid/<uid>/<path>, the first
// route of the plugin whose method matches and whose path is a prefix of <path>, its reqRole checked, its URL and
// headers templated from the instance, the rest of <path> appended; an upstream 401 becomes 400 "Authentication to
// data source failed".
import fs from 'node:fs';
import path from 'node:path';
import { json, readBody, ROLE_RANK } from './grafana-api.mjs';
import { forward, interpolate, joinPath, upstreamHeaders } from './plugin-proxy.mjs';

/** The nested plugins of the app: every plugin.json below dist/ but the app's own. */
function nestedPlugins(dist, appId) {
  const found = new Map();
  for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
    const file = path.join(dist, entry.name, 'plugin.json');
    if (entry.isDirectory() && fs.existsSync(file)) {
      const pluginJson = JSON.parse(fs.readFileSync(file, 'utf8'));
      const baseUrl = `public/plugins/${appId}/${entry.name}`;
      found.set(pluginJson.id, { ...pluginJson, baseUrl, module: `${baseUrl}/module.js` });
    }
  }
  return found;
}

export function createDataSourceState({ dist, appId, instances }) {
  const plugins = nestedPlugins(dist, appId);
  const byUid = new Map(
    instances.map((ds, i) => [
      ds.uid,
      { id: i + 1, access: 'proxy', url: '', jsonData: {}, secureJsonData: {}, readOnly: false, ...ds },
    ])
  );
  return { plugins, byUid };
}

const secureJsonFields = (ds) => Object.fromEntries(Object.keys(ds.secureJsonData).map((k) => [k, true]));

/** GET /api/datasources/uid/<uid>: the settings, never the secrets. */
function settingsDto(ds) {
  const { secureJsonData: _secrets, ...rest } = ds;
  return {
    ...rest,
    orgId: 1,
    typeName: ds.type,
    basicAuth: false,
    withCredentials: false,
    isDefault: false,
    version: 1,
    secureJsonFields: secureJsonFields(ds),
  };
}

/** What Grafana boots the frontend with (bootData.settings.datasources), keyed by name. */
export function bootDataSources(state) {
  const out = {};
  for (const ds of state.byUid.values()) {
    const meta = state.plugins.get(ds.type);
    if (meta) {
      out[ds.name] = {
        id: ds.id,
        uid: ds.uid,
        type: ds.type,
        name: ds.name,
        access: ds.access,
        url: `/api/datasources/proxy/uid/${ds.uid}`,
        jsonData: ds.jsonData,
        readOnly: ds.readOnly,
        isDefault: false,
        meta,
      };
    }
  }
  return out;
}

function matchRoute(routes, method, proxyPath) {
  const clean = (p) => path.posix.normalize(`/${p}`).replace(/^\/+/, '');
  return routes.find(
    (route) =>
      (!route.method || route.method === '*' || route.method === method) &&
      clean(proxyPath).startsWith(clean(route.path || ''))
  );
}

async function dataSourceProxy(state, user, req, res, url, uid, proxyPath) {
  const ds = state.byUid.get(uid);
  const plugin = ds && state.plugins.get(ds.type);
  if (!ds || !plugin) {
    return json(res, 404, { message: 'Unable to find datasource' });
  }
  const route = matchRoute(plugin.routes || [], req.method, proxyPath);
  if (route?.reqRole && (ROLE_RANK[user.role] ?? 0) < (ROLE_RANK[route.reqRole] ?? 99)) {
    return json(res, 403, { message: 'plugin proxy route access denied' });
  }
  const headers = upstreamHeaders(req);
  let target;
  try {
    if (route) {
      target = new URL(interpolate(ds, route.url));
      target.pathname = joinPath(target.pathname, proxyPath.slice(String(route.path).length));
      for (const header of route.headers || []) {
        headers[header.name.toLowerCase()] = interpolate(ds, header.content);
      }
    } else {
      target = new URL(ds.url);
      target.pathname = joinPath(target.pathname, proxyPath);
    }
  } catch {
    // No route and no URL, or a URL without a host: Grafana's reverse proxy fails the request.
    return json(res, 502, { message: 'Bad Gateway' });
  }
  target.search = url.search;
  return forward(req, res, target, headers, (upstream) => {
    if (upstream.status !== 401) {
      return false;
    }
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Authentication to data source failed');
    return true;
  });
}

/** Answers the data source routes it knows for a signed-in user; returns false for the others. */
export async function handleDataSourceApi(state, user, req, res, url) {
  const p = url.pathname;
  const proxied = /^\/api\/datasources\/proxy\/uid\/([^/]+)\/?(.*)$/.exec(p);
  if (proxied) {
    await dataSourceProxy(state, user, req, res, url, decodeURIComponent(proxied[1]), proxied[2]);
    return true;
  }
  if (p === '/api/datasources' && req.method === 'GET') {
    json(res, 200, [...state.byUid.values()].map(settingsDto));
    return true;
  }
  const byUid = /^\/api\/datasources\/uid\/([^/]+)$/.exec(p);
  const ds = byUid && state.byUid.get(decodeURIComponent(byUid[1]));
  if (byUid && !ds) {
    json(res, 404, { message: 'Data source not found' });
    return true;
  }
  if (ds && req.method === 'GET') {
    json(res, 200, settingsDto(ds));
    return true;
  }
  if (ds && req.method === 'PUT') {
    if ((ROLE_RANK[user.role] ?? 0) < ROLE_RANK.Admin) {
      json(res, 403, { message: 'Permission denied' });
      return true;
    }
    if (ds.readOnly) {
      json(res, 403, { message: 'Cannot update read-only data source' });
      return true;
    }
    const body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    // As Grafana: a secret not sent again is kept; one sent replaces it.
    Object.assign(ds, { name: body.name ?? ds.name, url: body.url ?? ds.url, jsonData: body.jsonData ?? ds.jsonData });
    Object.assign(ds.secureJsonData, body.secureJsonData ?? {});
    for (const [key, configured] of Object.entries(body.secureJsonFields ?? {})) {
      if (configured === false && !(body.secureJsonData ?? {})[key]) {
        delete ds.secureJsonData[key];
      }
    }
    json(res, 200, { message: 'Datasource updated', id: ds.id, name: ds.name, datasource: settingsDto(ds) });
    return true;
  }
  const pluginSettings = /^\/api\/plugins\/([^/]+)\/settings$/.exec(p);
  const nested = pluginSettings && state.plugins.get(pluginSettings[1]);
  if (nested && req.method === 'GET') {
    json(res, 200, { ...nested, enabled: true, jsonData: {}, secureJsonFields: {} });
    return true;
  }
  return false;
}
