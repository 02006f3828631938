import { PLUGIN_ID } from '../constants';
import { requestGrafana } from './client';

/** What the app keeps in Grafana's plugin settings; secrets go in secureJsonData and are never read back. */
export interface AppJsonData {
  backendUrl?: string;
}

export type SecretField = 'viewerToken' | 'adminToken';

export interface PluginSettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Only the secrets that changed: Grafana keeps the others as they are. */
  secureJsonData?: Partial<Record<SecretField, string>>;
}

export function savePluginSettings(update: PluginSettingsUpdate): Promise<unknown> {
  return requestGrafana(`api/plugins/${PLUGIN_ID}/settings`, { method: 'POST', data: update });
}
