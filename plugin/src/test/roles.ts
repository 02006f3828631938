import type { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';

/** Signs the test user in with an org role, as Grafana's boot data would (read by utils/roles.ts). */
export function setOrgRole(role: OrgRole): void {
  config.bootData.user = { ...config.bootData.user, orgRole: role };
}
