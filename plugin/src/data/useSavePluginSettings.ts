import { useMutation } from '@tanstack/react-query';
import { savePluginSettings, type PluginSettingsUpdate } from '../api/settings';
import { reloadPage } from '../utils/reload';

/**
 * Saves the app settings, then reloads the page: Grafana hands plugin settings (and which secrets are set) to the
 * plugin only at load, as the create-plugin template notes.
 */
export function useSavePluginSettings(onSaved: () => void = reloadPage) {
  return useMutation({
    mutationFn: (update: PluginSettingsUpdate) => savePluginSettings(update),
    meta: { successMessage: 'Settings saved', errorMessage: 'Could not save the settings' },
    onSuccess: onSaved,
  });
}
