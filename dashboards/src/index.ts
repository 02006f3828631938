/** The four dashboards, each built by its module, and the JSON text committed for it under json/. */
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { apiPerformance } from './dashboards/api-performance';
import { infrastructureHealth } from './dashboards/infrastructure-health';
import { securityOps } from './dashboards/security-ops';
import { securityOverview } from './dashboards/security-overview';
import { finalize } from './finalize';
import { renderReadme as renderReadmeAt } from './readme';

export const JSON_DIR = resolve(__dirname, '..', 'json');
export const README = resolve(__dirname, '..', 'README.md');

export const DASHBOARDS: readonly { file: string; build: () => Dashboard }[] = [
  { file: 'security-overview.json', build: securityOverview },
  { file: 'api-performance.json', build: apiPerformance },
  { file: 'infrastructure-health.json', build: infrastructureHealth },
  { file: 'security-ops.json', build: securityOps },
];

/** The file's text exactly as committed: formatted by the repository's Prettier, so `prettier --check` agrees. */
export async function render(file: string, build: () => Dashboard): Promise<string> {
  const filepath = resolve(JSON_DIR, file);
  const options = (await resolveConfig(filepath)) ?? {};
  return format(JSON.stringify(finalize(build()), null, 2), { ...options, filepath });
}

export async function renderAll(): Promise<{ file: string; text: string }[]> {
  return Promise.all(DASHBOARDS.map(async ({ file, build }) => ({ file, text: await render(file, build) })));
}

/** README.md with its panel list regenerated from `dashboards`. */
export function renderReadme(readme: string, dashboards: { file: string; text: string }[]): Promise<string> {
  return renderReadmeAt(readme, dashboards, README);
}
