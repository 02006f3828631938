import { useMemo } from 'react';
import { auditExportUrl, type ExportFormat } from '../api/audit';
import type { AuditFilter } from '../api/types';

/** Download links of the entries matching `filter`, one per format (no request until the browser follows one). */
export function useAuditExportUrls(filter: AuditFilter, formats: readonly ExportFormat[]) {
  return useMemo(() => formats.map((format) => ({ format, url: auditExportUrl(filter, format) })), [filter, formats]);
}
