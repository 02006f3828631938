import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';

/**
 * Whether the signed-in user has the Admin org role. Only hides what the user could not do anyway: the plugin
 * proxy refuses Admin routes to others (`reqRole`), and the backend checks the admin token again.
 */
export function isOrgAdmin(): boolean {
  return config.bootData?.user?.orgRole === OrgRole.Admin;
}
