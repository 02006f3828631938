// Grafana's app plugin proxy (pkg/api/pluginproxy/pluginproxy.go): the first route, in plugin.json order, whose
// method matches and whose path pattern matches (`x/*` keeps the rest); its `reqRole` checked against the
// signed-in user's org role (403 "plugin proxy route access denied"); `{{ .JsonData.k }}` / `{{ .SecureJsonData.k }}`
// templated into the URL and headers; cookies dropped; X-Grafana-Context set to the signed-in user.
import { json, readBody, ROLE_RANK } from './grafana-api.mjs';

/** `{{ .JsonData.k }}` / `{{ .SecureJsonData.k }}` of plugin settings or of a data source instance. */
export function interpolate({ jsonData, secureJsonData }, template) {
  return String(template).replace(/\{\{\s*\.(JsonData|SecureJsonData)\.([A-Za-z0-9_]+)\s*\}\}/g, (_, kind, key) => {
    const source = kind === 'JsonData' ? jsonData : secureJsonData;
    return String(source?.[key] ?? '');
  });
}

function matchRoute(routes, method, proxyPath) {
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) {
      continue;
    }
    const pattern = String(route.path || '').replace(/^\/+/, '');
    if (pattern.endsWith('/*')) {
      const base = pattern.slice(0, -2);
      if (proxyPath === base || proxyPath.startsWith(`${base}/`)) {
        return { route, rest: proxyPath.slice(base.length + 1) };
      }
    } else if (proxyPath === pattern) {
      return { route, rest: '' };
    }
  }
  return undefined;
}

/** util.JoinURLFragments: one slash between the route URL's path and the rest. */
export function joinPath(a, b) {
  if (!b) {
    return a;
  }
  return `${a.replace(/\/+$/, '')}/${b.replace(/^\/+/, '')}`;
}

export async function pluginProxy(state, user, req, res, url) {
  const prefix = `/api/plugin-proxy/${state.pluginJson.id}/`;
  const proxyPath = url.pathname.slice(prefix.length);
  const match = matchRoute(state.pluginJson.routes || [], req.method, proxyPath);
  if (!match) {
    return json(res, 404, { message: 'plugin route match not found' });
  }
  const { route, rest } = match;
  if (route.reqRole && (ROLE_RANK[user.role] ?? 0) < (ROLE_RANK[route.reqRole] ?? 99)) {
    return json(res, 403, { message: 'plugin proxy route access denied' });
  }
  let target;
  try {
    target = new URL(interpolate(state.settings, route.url));
  } catch {
    return json(res, 500, { message: 'Could not parse url' });
  }
  target.pathname = joinPath(target.pathname, rest);
  target.search = url.search;

  const headers = upstreamHeaders(req);
  headers['x-grafana-context'] = JSON.stringify({
    UserID: user.id,
    OrgID: 1,
    OrgRole: user.role,
    Login: user.login,
    Name: user.name,
    IsGrafanaAdmin: user.isGrafanaAdmin,
  });
  for (const header of route.headers || []) {
    headers[header.name.toLowerCase()] = interpolate(state.settings, header.content);
  }
  return forward(req, res, target, headers);
}

/** The browser's headers minus what a Grafana proxy never passes on (cookies, its own auth, hop-by-hop). */
export function upstreamHeaders(req) {
  const headers = { ...req.headers };
  for (const name of [
    'cookie',
    'set-cookie',
    'host',
    'content-length',
    'connection',
    'authorization',
    'x-grafana-user',
  ]) {
    delete headers[name];
  }
  return headers;
}

/** Sends the request on to `target` and streams the answer back; `onResponse` may answer instead (ds proxy 401). */
export async function forward(req, res, target, headers, onResponse) {
  const body = ['GET', 'HEAD'].includes(req.method) ? undefined : await readBody(req);
  try {
    const upstream = await fetch(target, { method: req.method, headers, body: body?.length ? body : undefined });
    if (onResponse?.(upstream, res)) {
      return;
    }
    const passed = {};
    for (const name of ['content-type', 'content-disposition', 'x-request-id', 'x-key-fingerprint']) {
      const value = upstream.headers.get(name);
      if (value) {
        passed[name] = value;
      }
    }
    res.writeHead(upstream.status, passed);
    if (upstream.body) {
      for await (const chunk of upstream.body) {
        res.write(chunk);
      }
    }
    res.end();
  } catch (err) {
    if (!res.headersSent) {
      json(res, 502, { message: 'Bad Gateway', error: String(err) });
    } else {
      res.destroy(err);
    }
  }
}
