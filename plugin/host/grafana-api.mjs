// The slice of Grafana's HTTP API an app plugin and @grafana/plugin-e2e use: login sessions, users and org roles,
// and the app's plugin settings (jsonData readable, secureJsonData write-only, reported as secureJsonFields).
import { randomBytes } from 'node:crypto';

export const ROLE_RANK = { None: 0, Viewer: 1, Editor: 2, Admin: 3 };

export function createGrafanaState({ pluginJson, jsonData = {}, secureJsonData = {} }) {
  const users = new Map([
    [
      'admin',
      {
        id: 1,
        login: 'admin',
        name: 'admin',
        password: process.env.GRAFANA_ADMIN_PASSWORD || 'admin',
        role: 'Admin',
        isGrafanaAdmin: true,
      },
    ],
  ]);
  const sessions = new Map();
  const settings = { enabled: true, pinned: true, jsonData, secureJsonData };
  return { pluginJson, users, sessions, settings };
}

export function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readFields(req) {
  const raw = (await readBody(req)).toString('utf8');
  if ((req.headers['content-type'] || '').includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
}

function cookie(req, name) {
  const match = (req.headers.cookie || '').split(/;\s*/).find((c) => c.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : undefined;
}

/** The signed-in user of a request (Grafana's session cookie), or undefined. */
export function currentUser(state, req) {
  const token = cookie(req, 'grafana_session');
  const login = token && state.sessions.get(token);
  return login ? state.users.get(login) : undefined;
}

export function pluginMeta(state) {
  const { pluginJson, settings } = state;
  const id = pluginJson.id;
  return {
    ...pluginJson,
    enabled: settings.enabled,
    pinned: settings.pinned,
    module: `public/plugins/${id}/module.js`,
    baseUrl: `public/plugins/${id}`,
    jsonData: settings.jsonData,
    secureJsonFields: Object.fromEntries(Object.keys(settings.secureJsonData).map((k) => [k, true])),
    loadingStrategy: 'fetch',
  };
}

/** Answers the Grafana API routes it knows; returns false for the others. */
export async function handleGrafanaApi(state, req, res, url) {
  const path = url.pathname;
  const method = req.method;
  if (path === '/login' && method === 'POST') {
    const { user, password } = await readFields(req);
    const found = state.users.get(String(user || ''));
    if (!found || found.password !== password) {
      json(res, 401, { message: 'Invalid username or password' });
      return true;
    }
    const token = randomBytes(16).toString('hex');
    state.sessions.set(token, found.login);
    const setCookie = `grafana_session=${token}; Path=/; HttpOnly; SameSite=Lax`;
    if ((req.headers['content-type'] || '').includes('application/x-www-form-urlencoded')) {
      res.writeHead(302, { location: '/', 'set-cookie': setCookie });
      res.end();
    } else {
      json(res, 200, { message: 'Logged in' }, { 'set-cookie': setCookie });
    }
    return true;
  }
  if (path === '/logout') {
    const token = cookie(req, 'grafana_session');
    if (token) {
      state.sessions.delete(token);
    }
    res.writeHead(302, { location: '/login', 'set-cookie': 'grafana_session=; Path=/; Max-Age=0' });
    res.end();
    return true;
  }
  if (!path.startsWith('/api/')) {
    return false;
  }
  const user = currentUser(state, req);
  if (!user) {
    json(res, 401, { message: 'Unauthorized' });
    return true;
  }
  const id = state.pluginJson.id;
  if (path === `/api/plugins/${id}/settings` && method === 'GET') {
    json(res, 200, pluginMeta(state));
    return true;
  }
  if (path === `/api/plugins/${id}/settings` && method === 'POST') {
    if (ROLE_RANK[user.role] < ROLE_RANK.Admin) {
      json(res, 403, { message: 'Permission denied' });
      return true;
    }
    const body = await readFields(req);
    const { settings } = state;
    if ('enabled' in body) {
      settings.enabled = Boolean(body.enabled);
    }
    if ('pinned' in body) {
      settings.pinned = Boolean(body.pinned);
    }
    if (body.jsonData) {
      settings.jsonData = body.jsonData;
    }
    if (body.secureJsonData) {
      Object.assign(settings.secureJsonData, body.secureJsonData);
    }
    json(res, 200, { message: 'Plugin settings updated' });
    return true;
  }
  if (path === '/api/admin/users' && method === 'POST') {
    if (!user.isGrafanaAdmin) {
      json(res, 403, { message: 'Permission denied' });
      return true;
    }
    const { login, name, password } = await readFields(req);
    if (state.users.has(login)) {
      json(res, 412, { message: 'User with same login already exists' });
      return true;
    }
    const created = {
      id: state.users.size + 1,
      login,
      name: name || login,
      password,
      role: 'Viewer',
      isGrafanaAdmin: false,
    };
    state.users.set(login, created);
    json(res, 200, { id: created.id, message: 'User created' });
    return true;
  }
  if (path === '/api/users/lookup' && method === 'GET') {
    const found = state.users.get(url.searchParams.get('loginOrEmail') || '');
    json(
      res,
      found ? 200 : 404,
      found ? { id: found.id, login: found.login, name: found.name } : { message: 'user not found' }
    );
    return true;
  }
  const orgUser = /^\/api\/org\/users\/(\d+)$/.exec(path);
  if (orgUser && method === 'PATCH') {
    if (ROLE_RANK[user.role] < ROLE_RANK.Admin) {
      json(res, 403, { message: 'Permission denied' });
      return true;
    }
    const target = [...state.users.values()].find((u) => u.id === Number(orgUser[1]));
    const { role } = await readFields(req);
    if (!target || !(role in ROLE_RANK)) {
      json(res, 400, { message: 'bad request' });
      return true;
    }
    target.role = role;
    json(res, 200, { message: 'Organization user updated' });
    return true;
  }
  if (path === '/api/user' && method === 'GET') {
    json(res, 200, { id: user.id, login: user.login, name: user.name, isGrafanaAdmin: user.isGrafanaAdmin, orgId: 1 });
    return true;
  }
  return false;
}
