import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** App pages under PLUGIN_BASE_URL; each nav page is also an `includes` entry in plugin.json. */
export const ROUTES = {
  Overview: 'overview',
  Audit: 'audit',
  Bans: 'bans',
} as const;

/**
 * Grafana's plugin proxy (CONTRACTS §5.1): `api/…` is the Viewer route (viewer token, GET, plus the read-only
 * POST /api/audit/verify), `admin/…` the Admin route (admin token, any method). Both map to the backend's `/api`.
 */
export const PROXY_BASE = `api/plugin-proxy/${PLUGIN_ID}`;
