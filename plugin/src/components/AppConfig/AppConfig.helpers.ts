import type { AppPluginMeta } from '@grafana/data';
import type { AppJsonData, PluginSettingsUpdate, SecretField } from '../../api/settings';

export function validateBackendUrl(value: string): string | undefined {
  const url = value.trim();
  if (url === '') {
    return 'The backend URL is required';
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : 'Use an http:// or https:// URL';
  } catch {
    return 'Not a URL';
  }
}

/** The settings to POST: jsonData in full, and only the secrets that were typed (never an empty one). */
export function settingsUpdate(
  meta: Pick<AppPluginMeta<AppJsonData>, 'enabled' | 'pinned'>,
  backendUrl: string,
  secrets: Partial<Record<SecretField, string>>
): PluginSettingsUpdate {
  const changed = Object.fromEntries(Object.entries(secrets).filter(([, value]) => value)) as Partial<
    Record<SecretField, string>
  >;
  return {
    enabled: Boolean(meta.enabled),
    pinned: Boolean(meta.pinned),
    jsonData: { backendUrl: backendUrl.trim().replace(/\/+$/, '') },
    ...(Object.keys(changed).length > 0 ? { secureJsonData: changed } : {}),
  };
}
